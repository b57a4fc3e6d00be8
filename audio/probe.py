"""What a file really contains, according to ffprobe, and whether we accept it.

The extension and the client's MIME type are never looked at: the container and codec
come from ffprobe reading the bytes. ``check`` rejects anything outside the accepted
formats or shaped like a decompression bomb *before* any decoding starts.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audio.containers import ogg_complete, wav_complete
from audio.errors import (
    Empty,
    Implausible,
    NotAudio,
    TooLarge,
    ToolFailed,
    TooLong,
    Truncated,
    UnsupportedCodec,
)
from audio.limits import Limits
from audio.tools import ffprobe_binary, run

__all__ = ["ACCEPTED", "ProbeInfo", "check", "probe"]

# ffprobe format name → codecs accepted inside it. WAV, MP3, OGG (Opus, Vorbis), FLAC, M4A.
ACCEPTED: dict[str, frozenset[str]] = {
    "wav": frozenset(
        {
            "pcm_s16le",
            "pcm_s24le",
            "pcm_s32le",
            "pcm_f32le",
            "pcm_f64le",
            "pcm_u8",
            "pcm_mulaw",
            "pcm_alaw",
        }
    ),
    "mp3": frozenset({"mp3"}),
    "ogg": frozenset({"opus", "vorbis", "flac"}),
    "flac": frozenset({"flac"}),
    "mov,mp4,m4a,3gp,3g2,mj2": frozenset({"aac", "alac", "mp3"}),
}

# Phrases in ffprobe/ffmpeg stderr that mean "the file stops early", not "not audio".
TRUNCATION_HINTS = (
    "moov atom not found",
    "partial file",
    "end of file",
    "truncat",
    "premature end",
    "packet too short",
    "invalid frame size",
)


@dataclass(frozen=True)
class ProbeInfo:
    """The first audio stream of a file and its container."""

    format_name: str
    codec: str
    sample_rate: int
    channels: int
    duration: float  # seconds, as declared by the headers; -1 when they do not say
    bit_rate: int | None
    size: int  # bytes on disk

    @property
    def format_label(self) -> str:
        """Short human name of the container (for messages and the asset list)."""
        return "m4a" if self.format_name.startswith("mov,") else self.format_name


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def probe(path: Path | str, *, timeout: float = 30.0) -> ProbeInfo:
    """Read container and first audio stream with ffprobe.

    Raises ``Empty`` for zero bytes, ``Truncated`` when ffprobe says the file stops
    early, ``NotAudio`` for anything without a readable audio stream.
    """
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise Empty("The file is empty (0 bytes).")
    proc = run(
        [
            ffprobe_binary(),
            "-v",
            "error",
            "-hide_banner",
            "-show_format",
            "-show_streams",
            "-of",
            "json",
            "--",
            str(path),
        ],
        timeout=timeout,
        what="ffprobe",
        check=False,
    )
    stderr = proc.stderr.decode("utf-8", "replace")
    tail = stderr.strip()[-600:]
    if proc.returncode != 0:
        if any(hint in stderr.lower() for hint in TRUNCATION_HINTS):
            raise Truncated("The file ends early; upload it again.", detail=tail)
        raise NotAudio("This file is not a recognised audio file.", detail=tail)
    try:
        data = json.loads(proc.stdout or b"{}")
    except ValueError:
        raise ToolFailed("ffprobe returned unreadable output", detail=tail) from None
    fmt = data.get("format") or {}
    audio = [s for s in data.get("streams") or [] if s.get("codec_type") == "audio"]
    if not audio:
        raise NotAudio("This file contains no audio.", detail=tail)
    stream = audio[0]
    duration = _number(stream.get("duration"))
    if duration is None:
        duration = _number(fmt.get("duration"))
    bit_rate = _number(stream.get("bit_rate")) or _number(fmt.get("bit_rate"))
    format_name = str(fmt.get("format_name", ""))
    complete = {"wav": wav_complete, "ogg": ogg_complete}.get(format_name)
    if complete is not None and not complete(path):
        raise Truncated("The file ends early; upload it again.")
    return ProbeInfo(
        format_name=format_name,
        codec=str(stream.get("codec_name", "")),
        sample_rate=int(_number(stream.get("sample_rate")) or 0),
        channels=int(stream.get("channels") or 0),
        duration=duration if duration is not None else -1.0,
        bit_rate=int(bit_rate) if bit_rate else None,
        size=size,
    )


def check(info: ProbeInfo, limits: Limits, *, music: bool) -> None:
    """Refuse what we will not decode: wrong format, bomb-shaped or over the limits.

    Runs on probe output only, so a 10-hour or 768-channel file is refused in
    milliseconds, before ffmpeg spends any time on it.
    """
    if info.size > limits.max_bytes:
        raise TooLarge(
            f"The file is {info.size / 1e6:.1f} MB; the limit is {limits.max_bytes / 1e6:.0f} MB."
        )
    codecs = ACCEPTED.get(info.format_name)
    if codecs is None:
        raise UnsupportedCodec(
            f"Files of type '{info.format_label}' are not accepted; "
            "use WAV, MP3, OGG/Opus, FLAC or M4A."
        )
    if info.codec not in codecs:
        raise UnsupportedCodec(
            f"The {info.format_label} file uses the '{info.codec}' codec, which is not accepted."
        )
    if not 1 <= info.channels <= limits.max_channels:
        raise Implausible(f"The file declares {info.channels} channels.")
    if not limits.min_sample_rate <= info.sample_rate <= limits.max_sample_rate:
        raise Implausible(f"The file declares a sample rate of {info.sample_rate} Hz.")
    if info.duration < 0:
        return  # unknown length: decoding is capped at the limit and checked then
    if info.duration == 0:
        raise Empty("The file contains no sound (0 seconds).")
    max_seconds = limits.max_seconds(music=music)
    if info.duration > max_seconds:
        raise TooLong(
            f"The file is {_clock(info.duration)} long; the limit for "
            f"{'music' if music else 'prompts'} is {_clock(max_seconds)}."
        )


def _clock(seconds: float) -> str:
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
