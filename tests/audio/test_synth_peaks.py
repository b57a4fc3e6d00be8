"""Default sounds and waveform peaks."""

from __future__ import annotations

import hashlib
import itertools
import json
import wave
from datetime import date
from pathlib import Path

import pytest

from audio.errors import NotAudio
from audio.ingest import ingest
from audio.music_detect import estimate
from audio.peaks import peaks
from audio.rights import AssetRights, rights_valid, usable
from audio.synth import (
    BEEP_HZ,
    DEFAULT_RIGHTS,
    HOLD_MUSIC_SECONDS,
    SAMPLE_RATE,
    write_defaults,
)
from tests.audio.conftest import Media, ffprobe


@pytest.fixture(scope="module")
def defaults(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_defaults(tmp_path_factory.mktemp("defaults"))


def test_defaults_are_deterministic(defaults: dict[str, Path], tmp_path: Path) -> None:
    again = write_defaults(tmp_path)
    for name, path in defaults.items():
        assert (
            hashlib.sha256(path.read_bytes()).digest()
            == hashlib.sha256(again[name].read_bytes()).digest()
        )


def test_hold_music_is_a_short_loop_and_sounds_like_music(defaults: dict[str, Path]) -> None:
    info = ffprobe(defaults["hold_music"])
    assert (info.codec, info.sample_rate, info.channels) == ("pcm_s16le", SAMPLE_RATE, 1)
    assert 30 <= info.duration == HOLD_MUSIC_SECONDS <= 60
    with wave.open(str(defaults["hold_music"])) as wav:
        frames = wav.readframes(wav.getnframes())
    samples = memoryview(frames).cast("h")
    assert max(abs(s) for s in samples[:80]) < 2_000  # fades in: loop seam without a click
    assert max(abs(s) for s in samples[-80:]) < 2_000
    assert max(abs(s) for s in samples) < 32_000  # no clipping


def test_hold_music_ingests_as_licence_free_music(
    defaults: dict[str, Path], tmp_path: Path
) -> None:
    result = ingest(defaults["hold_music"], tmp_path, use="hold_music")
    assert result.duration == pytest.approx(HOLD_MUSIC_SECONDS, abs=0.05)
    assert result.music.is_music
    asset = AssetRights("default", is_music=True, rights=DEFAULT_RIGHTS)
    assert rights_valid(DEFAULT_RIGHTS, [], date(2099, 1, 1))
    assert usable(asset, [], date(2099, 1, 1))


def test_beep_is_a_short_tone(defaults: dict[str, Path], tmp_path: Path) -> None:
    info = ffprobe(defaults["beep"])
    assert 0.1 <= info.duration <= 0.5
    with wave.open(str(defaults["beep"])) as wav:
        frames = wav.readframes(wav.getnframes())
    samples = list(memoryview(frames).cast("h"))
    crossings = sum(1 for a, b in itertools.pairwise(samples) if a < 0 <= b)
    assert crossings / info.duration == pytest.approx(BEEP_HZ, rel=0.02)
    result = ingest(defaults["beep"], tmp_path)  # shorter than one R128 block: still works
    assert result.duration == pytest.approx(info.duration, abs=0.02)
    assert not result.music.conclusive
    assert not result.sounds_like_undeclared_music


def test_peaks_follow_the_sound(media: Media, tmp_path: Path) -> None:
    result = ingest(media.padded, tmp_path, use="hold_music")  # keeps the 2 s silences
    data = peaks(result.renditions.telephony_pcm, buckets=100)
    json.dumps(data)
    assert data["buckets"] == len(data["peaks"]) == 100
    assert data["sample_rate"] == 8000
    assert data["duration"] == pytest.approx(result.duration, abs=0.01)
    seconds_per_bucket = data["duration"] / 100
    edge = int(1.5 / seconds_per_bucket)
    assert all(-0.01 <= low <= high <= 0.01 for low, high in data["peaks"][:edge])
    assert all(-0.01 <= low <= high <= 0.01 for low, high in data["peaks"][-edge:])
    middle = data["peaks"][40:60]
    assert max(high for _, high in middle) > 0.3
    assert min(low for low, _ in middle) < -0.3
    assert all(-1 <= low <= high <= 1 for low, high in data["peaks"])


def test_peaks_of_tiny_file_and_bad_input(tmp_path: Path, media: Media) -> None:
    tiny = tmp_path / "tiny.wav"
    with wave.open(str(tiny), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(b"\x00\x40\x00\xc0\x00\x00")
    data = peaks(tiny, buckets=800)
    assert data["peaks"] == [[0.5, 0.5], [-0.5, -0.5], [0.0, 0.0]]
    with pytest.raises(NotAudio):
        peaks(media.formats["mp3"])
    with pytest.raises(ValueError, match="buckets"):
        peaks(tiny, buckets=0)


def test_music_estimate_needs_the_telephony_rendition(media: Media) -> None:
    with pytest.raises(NotAudio):
        estimate(media.formats["flac"])
