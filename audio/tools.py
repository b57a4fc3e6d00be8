"""Running ffmpeg and ffprobe: always with a timeout, never raising anything but AudioError.

The binaries are found the way pydub finds them (``AudioSegment.converter``), so one
setting (``FFMPEG``/PATH) drives both pydub and our own subprocesses.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from audio._pydub import AudioSegment
from audio.errors import ToolFailed

__all__ = ["ffmpeg_binary", "ffprobe_binary", "run", "stderr_tail"]

STDERR_TAIL_CHARS = 600


def ffmpeg_binary() -> str:
    """The ffmpeg pydub uses (``AudioSegment.converter``)."""
    return str(AudioSegment.converter)


def ffprobe_binary() -> str:
    """ffprobe next to pydub's ffmpeg, else the one on PATH."""
    converter = Path(ffmpeg_binary())
    sibling = converter.with_name(converter.name.replace("ffmpeg", "ffprobe"))
    if sibling != converter and sibling.exists():
        return str(sibling)
    return shutil.which("ffprobe") or "ffprobe"


def stderr_tail(stderr: bytes | str, chars: int = STDERR_TAIL_CHARS) -> str:
    """The last lines of a tool's stderr, where its actual complaint is."""
    text = stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else stderr
    text = text.strip()
    if len(text) > chars:
        text = "…" + text[-chars:]
    return text


def run(
    args: Sequence[str], *, timeout: float, what: str, check: bool = True
) -> subprocess.CompletedProcess[bytes]:
    """Run a tool with a timeout; a timeout, a missing binary or (with ``check``) a
    non-zero exit becomes ``ToolFailed`` with the stderr tail, so callers never see
    ``subprocess`` exceptions."""
    try:
        proc = subprocess.run(  # noqa: S603 - fixed argument vector, no shell
            list(args),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ToolFailed(
            f"{what} took longer than {timeout:g} s", detail=stderr_tail(exc.stderr or b"")
        ) from None
    except OSError as exc:
        raise ToolFailed(f"{what} could not be started", detail=str(exc)) from None
    if check and proc.returncode != 0:
        raise ToolFailed(f"{what} failed (exit {proc.returncode})", detail=stderr_tail(proc.stderr))
    return proc
