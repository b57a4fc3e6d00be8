"""Ingest: every accepted format becomes real telephony and Opus renditions."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from audio.errors import TooLarge
from audio.ingest import IngestResult, Upload, discard, ingest, receive, sha256_file
from audio.limits import Limits
from audio.loudness import PEAK_CEILING_DBFS, TARGET_LUFS
from tests.audio.conftest import FORMATS, Media, ffprobe, loudness

LOUDNESS_TOLERANCE = 1.5  # LU; μ-law and the limiter move it a little


def assert_renditions(result: IngestResult, *, opus_channels: int = 1) -> None:
    pcm = ffprobe(result.renditions.telephony_pcm)
    assert (pcm.codec, pcm.sample_rate, pcm.channels) == ("pcm_s16le", 8000, 1)
    ulaw = ffprobe(result.renditions.telephony_ulaw)
    assert (ulaw.codec, ulaw.sample_rate, ulaw.channels) == ("pcm_mulaw", 8000, 1)
    assert pcm.format_name == ulaw.format_name == "wav"
    opus = ffprobe(result.renditions.opus)
    assert (opus.format_name, opus.codec, opus.channels) == ("ogg", "opus", opus_channels)
    for stream in (pcm, ulaw, opus):
        assert stream.duration == pytest.approx(result.duration, abs=0.08)


@pytest.mark.parametrize("key", sorted(FORMATS))
def test_every_accepted_format_is_ingested(media: Media, dest: Path, key: str) -> None:
    src = media.formats[key]
    result = ingest(src, dest, use="prompt")
    assert_renditions(result)
    _name, _codec_args, label, codec = FORMATS[key]
    assert (result.original.format_label, result.original.codec) == (label, codec)
    assert (result.sample_rate, result.channels) == (44100 if key != "opus" else 48000, 2)
    assert result.sha256 == hashlib.sha256(src.read_bytes()).hexdigest()
    assert 5 < result.duration <= result.original.duration + 0.05
    assert sorted(p.name for p in dest.iterdir()) == sorted(
        p.name for p in result.renditions.paths()
    )
    assert all(len(p.name) > 32 and src.stem not in p.name for p in result.renditions.paths())


def test_extension_and_name_are_not_trusted(media: Media, dest: Path, tmp_path: Path) -> None:
    disguised = tmp_path / "greeting.wav"
    disguised.write_bytes(media.formats["mp3"].read_bytes())
    result = ingest(disguised, dest)
    assert result.original.format_label == "mp3"


@pytest.mark.parametrize("name", ["quiet", "loud"])
def test_loudness_reaches_target_from_quiet_and_loud_input(
    media: Media, dest: Path, name: str
) -> None:
    src = getattr(media, name)
    before, _ = loudness(src)
    result = ingest(src, dest)
    for path in (result.renditions.telephony_pcm, result.renditions.telephony_ulaw):
        integrated, peak = loudness(path)
        assert integrated == pytest.approx(TARGET_LUFS, abs=LOUDNESS_TOLERANCE)
        assert peak <= PEAK_CEILING_DBFS + 0.5
    assert abs(before - TARGET_LUFS) > 5  # the inputs really were off target
    assert (result.gain_db > 0) == (name == "quiet")


def test_prompt_silence_is_trimmed_but_music_keeps_it(media: Media, dest: Path) -> None:
    plain = ingest(media.speech, dest, use="prompt")
    padded = ingest(media.padded, dest, use="prompt")
    assert padded.trim.start == pytest.approx(2.0 - 0.15, abs=0.1)
    assert padded.duration == pytest.approx(plain.duration, abs=0.25)
    assert padded.original.duration == pytest.approx(plain.original.duration + 4, abs=0.05)
    as_music = ingest(media.padded, dest, use="queue_message", declared_music=True)
    assert as_music.duration == pytest.approx(as_music.original.duration, abs=0.05)


def test_hold_music_is_stereo_in_opus_and_mono_for_telephony(media: Media, dest: Path) -> None:
    result = ingest(media.music, dest, use="hold_music")
    assert_renditions(result, opus_channels=2)
    assert result.declared_music
    assert result.duration == pytest.approx(20.0, abs=0.05)


def test_ingest_rejects_unknown_use(media: Media, dest: Path) -> None:
    with pytest.raises(ValueError, match="use must be"):
        ingest(media.speech, dest, use="ringtone")


def test_discard_removes_renditions(media: Media, dest: Path) -> None:
    result = ingest(media.speech, dest)
    discard(result)
    assert list(dest.iterdir()) == []


def test_receive_streams_to_disk_with_hash(tmp_path: Path) -> None:
    data = bytes(range(256)) * 10_000
    upload = receive(io.BytesIO(data), tmp_path)
    assert isinstance(upload, Upload)
    assert upload.size == len(data)
    assert upload.sha256 == hashlib.sha256(data).hexdigest() == sha256_file(upload.path)
    assert upload.path.read_bytes() == data


def test_receive_refuses_oversized_upload_and_leaves_nothing(tmp_path: Path) -> None:
    class Endless(io.RawIOBase):
        def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
            buffer[:] = b"x" * len(buffer)
            return len(buffer)

    with pytest.raises(TooLarge) as caught:
        receive(Endless(), tmp_path, limits=Limits(max_bytes=3 * 1024 * 1024))
    assert caught.value.code == "too_large"
    assert list(tmp_path.iterdir()) == []
