"""Bad uploads: a clear, coded error and nothing left on disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from audio import errors
from audio.ingest import ingest
from audio.limits import Limits
from audio.loudness import Loudness
from audio.probe import check, probe
from audio.tools import run
from audio.transcode import Trim, render_telephony
from tests.audio.conftest import Media

BROKEN = [
    ("pdf-renamed.mp3", errors.NotAudio),
    ("text.wav", errors.NotAudio),
    ("zero.mp3", errors.Empty),
    ("header-only.wav", errors.Empty),
    ("truncated.wav", errors.Truncated),
    ("truncated.mp3", errors.Truncated),
    ("truncated.opus", errors.Truncated),
    ("truncated.flac", errors.Truncated),
    ("truncated.m4a", errors.Truncated),
    ("truncated-faststart.m4a", errors.Truncated),
    ("channels-bomb.wav", errors.Implausible),
    ("rate-bomb.wav", errors.Implausible),
    ("duration-bomb.flac", errors.TooLong),
    ("ac3", errors.UnsupportedCodec),
    ("adpcm.wav", errors.UnsupportedCodec),
]


@pytest.mark.parametrize(("name", "error"), BROKEN, ids=[name for name, _ in BROKEN])
def test_bad_upload_gives_coded_error_and_leaves_nothing(
    broken: dict[str, Path], dest: Path, name: str, error: type[errors.AudioError]
) -> None:
    with pytest.raises(error) as caught:
        ingest(broken[name], dest, use="hold_music")
    assert type(caught.value) is error
    assert caught.value.code == error.code != errors.AudioError.code
    assert caught.value.reason[:1].isupper()
    assert list(dest.iterdir()) == []
    assert broken[name].exists()  # the caller's upload is the caller's to delete


def test_ten_hour_file_is_refused_from_its_probe(media: Media, dest: Path) -> None:
    info = probe(media.ten_hours)
    assert info.duration == pytest.approx(36_000)
    with pytest.raises(errors.TooLong, match="10:00:00"):
        check(info, Limits(), music=True)
    # A tool timeout far too short to decode ten hours: ingest must refuse before decoding.
    with pytest.raises(errors.TooLong):
        ingest(media.ten_hours, dest, use="hold_music", limits=Limits(tool_timeout=0.001))
    assert list(dest.iterdir()) == []


def test_prompt_limit_is_shorter_than_music_limit(media: Media, dest: Path) -> None:
    with pytest.raises(errors.TooLong, match="prompts is 2:00"):
        ingest(media.long_prompt, dest, use="prompt")
    assert list(dest.iterdir()) == []
    result = ingest(media.long_prompt, dest, use="hold_music")
    assert result.duration == pytest.approx(150, abs=0.1)


def test_size_limit_is_checked_before_decoding(media: Media, dest: Path) -> None:
    size = media.music.stat().st_size
    with pytest.raises(errors.TooLarge):
        ingest(media.music, dest, use="hold_music", limits=Limits(max_bytes=size - 1))
    assert list(dest.iterdir()) == []


def test_silence_only_is_empty(media: Media, dest: Path) -> None:
    with pytest.raises(errors.Empty, match="silence"):
        ingest(media.silent, dest)
    assert list(dest.iterdir()) == []


def test_tool_timeout_becomes_tool_failed() -> None:
    with pytest.raises(errors.ToolFailed, match=r"longer than 0\.2 s"):
        run(["sleep", "5"], timeout=0.2, what="sleep")


def test_missing_tool_becomes_tool_failed() -> None:
    with pytest.raises(errors.ToolFailed, match="could not be started"):
        run(["/nonexistent/ffmpeg"], timeout=5, what="ffmpeg")


def test_ffmpeg_failure_carries_its_reason(tmp_path: Path) -> None:
    with pytest.raises(errors.ToolFailed) as caught:
        render_telephony(
            tmp_path / "missing.wav",
            tmp_path / "a.wav",
            tmp_path / "b.wav",
            loudness=Loudness(-20, -3),
            trim=Trim(),
            timeout=30,
        )
    assert "No such file" in caught.value.detail
    assert caught.value.as_dict()["code"] == "tool_failed"
    assert "No such file" in str(caught.value)


def test_every_error_has_its_own_code() -> None:
    classes = [getattr(errors, name) for name in errors.__all__ if name != "AudioError"]
    codes = [cls.code for cls in classes]
    assert len(set(codes)) == len(codes)
    assert all(issubclass(cls, errors.AudioError) for cls in classes)
