"""Audio domain: uploads in, telephony-ready files and facts out (no Flask imports).

Entry points for the web app (plain arguments in, plain values out):

* ``audio.ingest.receive(stream, dest_dir, limits=)`` - stream an upload to disk.
* ``audio.ingest.ingest(src, dest_dir, use=, declared_music=, limits=)`` - probe,
  refuse bad input, write PCM/μ-law/Opus renditions, measure, hash, estimate music.
* ``audio.names.safe_display_name(name)`` - the client's file name, fit for display.
* ``audio.rights`` - rights declarations, KODA/Gramex agreements, expiry and warnings.
* ``audio.synth.write_defaults(dest_dir)`` - licence-free hold music and beep.
* ``audio.peaks.peaks(path, buckets=)`` - waveform JSON for the editor's player.

Every refusal is an ``audio.errors.AudioError`` with a ``code`` and a ``reason``.
"""
