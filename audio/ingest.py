"""One entry point for an uploaded file: checks, renditions, measurements.

``receive`` streams the upload to disk (bounded, hashed on the way); ``ingest``
probes the real content, refuses bad input before decoding, and writes the
renditions under random names. On any error nothing it wrote is left behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from audio.errors import TooLarge
from audio.limits import Limits
from audio.loudness import TARGET_LUFS, Loudness
from audio.music_detect import MusicEstimate, estimate
from audio.probe import ProbeInfo, check, probe
from audio.transcode import Trim, render_opus, telephony

__all__ = [
    "USES",
    "IngestResult",
    "Renditions",
    "Upload",
    "discard",
    "ingest",
    "receive",
    "sha256_file",
]

USES = ("prompt", "queue_message", "hold_music")  # flows.catalogue.AudioUse values
CHUNK = 1024 * 1024
MUSIC_SAMPLE_SECONDS = 60.0


@dataclass(frozen=True)
class Upload:
    """An upload on disk under a random name, with its size and SHA-256."""

    path: Path
    size: int
    sha256: str


@dataclass(frozen=True)
class Renditions:
    """Files written by ``ingest`` (random names in ``dest_dir``)."""

    telephony_pcm: Path  # 8 kHz mono pcm_s16le WAV, for <Play>
    telephony_ulaw: Path  # 8 kHz mono pcm_mulaw WAV, for <Play>
    opus: Path  # OGG/Opus 48 kHz, for browsers and Telegram

    def paths(self) -> list[Path]:
        return [self.telephony_pcm, self.telephony_ulaw, self.opus]


@dataclass(frozen=True)
class IngestResult:
    """Everything the asset row needs."""

    renditions: Renditions
    sha256: str  # of the original bytes
    original: ProbeInfo  # container, codec, sample rate, channels, declared duration
    duration: float  # seconds of the renditions (after trimming prompts)
    loudness_before: Loudness
    gain_db: float
    target_lufs: float
    trim: Trim
    music: MusicEstimate
    declared_music: bool

    @property
    def sample_rate(self) -> int:
        return self.original.sample_rate

    @property
    def channels(self) -> int:
        return self.original.channels

    @property
    def sounds_like_undeclared_music(self) -> bool:
        """Declared as speech but the estimate says music: ask the admin about rights."""
        return not self.declared_music and self.music.conclusive and self.music.is_music


def sha256_file(path: Path) -> str:
    """SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def receive(stream: BinaryIO, dest_dir: Path, *, limits: Limits | None = None) -> Upload:
    """Stream an upload to ``dest_dir`` in chunks, refusing it once it passes the limit.

    The request body is never held in memory, and an oversized upload is deleted
    as soon as it crosses ``max_bytes`` instead of after it has filled the disk.
    """
    limits = limits or Limits()
    dest_dir.mkdir(parents=True, exist_ok=True)
    path = dest_dir / f"upload-{secrets.token_hex(16)}"
    digest = hashlib.sha256()
    size = 0
    try:
        with path.open("xb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limits.max_bytes:
                    raise TooLarge(
                        f"The upload is larger than the limit of {limits.max_bytes / 1e6:.0f} MB."
                    )
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Upload(path=path, size=size, sha256=digest.hexdigest())


def ingest(
    src_path: Path | str,
    dest_dir: Path | str,
    *,
    use: str = "prompt",
    declared_music: bool = False,
    limits: Limits | None = None,
) -> IngestResult:
    """Check ``src_path`` and write its renditions into ``dest_dir``.

    ``use`` is one of ``USES``; hold music and assets declared as music get the music
    duration limit, keep their silences and keep stereo in the Opus rendition; prompts
    are trimmed. Raises an ``AudioError`` subclass for anything refused; ffmpeg
    failures arrive as ``ToolFailed`` with ffmpeg's reason. ``src_path`` itself is
    left to the caller.
    """
    if use not in USES:
        raise ValueError(f"use must be one of {USES}, not {use!r}")
    limits = limits or Limits()
    src = Path(src_path)
    dest = Path(dest_dir)
    music = declared_music or use == "hold_music"
    info = probe(src, timeout=limits.probe_timeout)
    check(info, limits, music=music)
    dest.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(16)
    renditions = Renditions(
        telephony_pcm=dest / f"{token}.pcm.wav",
        telephony_ulaw=dest / f"{token}.ulaw.wav",
        opus=dest / f"{token}.opus.ogg",
    )
    try:
        sha = sha256_file(src)
        tel = telephony(
            src,
            renditions.telephony_pcm,
            renditions.telephony_ulaw,
            channels=info.channels,
            declared_seconds=info.duration,
            max_seconds=limits.max_seconds(music=music),
            trim_silence=not music,
            timeout=limits.tool_timeout,
        )
        render_opus(
            src,
            renditions.opus,
            channels=info.channels,
            loudness=tel.decoded.loudness,
            trim=tel.trim,
            stereo=music,
            timeout=limits.tool_timeout,
        )
        found = estimate(renditions.telephony_pcm, max_seconds=MUSIC_SAMPLE_SECONDS)
    except BaseException:
        _remove(renditions.paths())
        raise
    return IngestResult(
        renditions=renditions,
        sha256=sha,
        original=info,
        duration=tel.seconds,
        loudness_before=tel.decoded.loudness,
        gain_db=tel.decoded.loudness.gain(),
        target_lufs=TARGET_LUFS,
        trim=tel.trim,
        music=found,
        declared_music=music,
    )


def _remove(paths: Iterable[Path]) -> None:
    for path in paths:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)


def discard(result: IngestResult) -> None:
    """Delete an ingest's renditions (the caller's transaction failed)."""
    _remove(result.renditions.paths())
