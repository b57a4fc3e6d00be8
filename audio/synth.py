"""Licence-free default sounds, synthesised by the project so a fresh install has them.

Everything is generated from sine tones with pydub, deterministically (same bytes
on every machine and every run), so the defaults need no download and carry no
third-party rights: they are declared public domain (``DEFAULT_RIGHTS``).

The hold music is a 32-second loop: a I-V-vi-IV progression in C major played
twice, soft three-note pads over a bass note, with a plucked arpeggio on top. Each
chord fades in and out so the loop point has no click.
"""

from __future__ import annotations

from pathlib import Path

from audio._pydub import AudioSegment, generators
from audio.rights import RightsDeclaration, RightsKind

__all__ = [
    "BEEP_HZ",
    "DEFAULT_RIGHTS",
    "HOLD_MUSIC_SECONDS",
    "SAMPLE_RATE",
    "beep",
    "hold_music",
    "write_beep",
    "write_defaults",
    "write_hold_music",
]

SAMPLE_RATE = 16_000
CHORD_MS = 4_000
ARPEGGIO_MS = 500
BEEP_HZ = 1_000
DEFAULT_RIGHTS = RightsDeclaration(
    RightsKind.PUBLIC_DOMAIN, source="synthesised by ivr-designer (audio.synth)"
)

# MIDI note numbers: C, G, Am, F with the bass an octave below the root.
PROGRESSION: list[tuple[int, tuple[int, int, int]]] = [
    (48, (60, 64, 67)),  # C
    (43, (59, 62, 67)),  # G (B-D-G voicing, close to C)
    (45, (60, 64, 69)),  # Am
    (41, (60, 65, 69)),  # F
]
HOLD_MUSIC_SECONDS = 2 * len(PROGRESSION) * CHORD_MS / 1000


def _hz(note: int) -> float:
    return 440.0 * 2 ** ((note - 69) / 12)


def _tone(note: int, ms: int, volume: float) -> AudioSegment:
    return generators.Sine(_hz(note), sample_rate=SAMPLE_RATE).to_audio_segment(
        duration=ms, volume=volume
    )


def _chord(bass: int, notes: tuple[int, int, int]) -> AudioSegment:
    pad = _tone(bass, CHORD_MS, -22.0)
    for note in notes:
        pad = pad.overlay(_tone(note, CHORD_MS, -26.0))
    pad = pad.fade_in(300).fade_out(600)
    arpeggio = AudioSegment.silent(duration=CHORD_MS, frame_rate=SAMPLE_RATE)
    pattern = [*notes, notes[1] + 12, notes[2] + 12, notes[1] + 12, notes[0] + 12, notes[1]]
    for step, note in enumerate(pattern):
        pluck = _tone(note + 12, ARPEGGIO_MS, -24.0).fade_in(8).fade_out(ARPEGGIO_MS - 20)
        arpeggio = arpeggio.overlay(pluck, position=step * ARPEGGIO_MS)
    return pad.overlay(arpeggio)


def hold_music() -> AudioSegment:
    """The default hold-music loop (32 s, 16 kHz mono 16-bit)."""
    once = AudioSegment.empty().set_frame_rate(SAMPLE_RATE)
    for bass, notes in PROGRESSION:
        once += _chord(bass, notes)
    return once + once


def beep(hz: int = BEEP_HZ, ms: int = 250) -> AudioSegment:
    """A short tone (e.g. "record after the beep"), with 10 ms ramps against clicks."""
    return _tone_hz(hz, ms, -6.0).fade_in(10).fade_out(10)


def _tone_hz(hz: float, ms: int, volume: float) -> AudioSegment:
    return generators.Sine(hz, sample_rate=SAMPLE_RATE).to_audio_segment(duration=ms, volume=volume)


def _write(segment: AudioSegment, path: Path | str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:  # pydub's wav export needs no ffmpeg and is byte-stable
        segment.export(fh, format="wav")
    return path


def write_hold_music(path: Path | str) -> Path:
    """Write the default hold music as a WAV; ingest it like any upload (as music)."""
    return _write(hold_music(), path)


def write_beep(path: Path | str) -> Path:
    """Write the default beep as a WAV."""
    return _write(beep(), path)


def write_defaults(dest_dir: Path | str) -> dict[str, Path]:
    """Both defaults into ``dest_dir``, by name (``hold_music``, ``beep``)."""
    dest = Path(dest_dir)
    return {
        "hold_music": write_hold_music(dest / "default-hold-music.wav"),
        "beep": write_beep(dest / "default-beep.wav"),
    }
