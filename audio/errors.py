"""Why an audio file was refused, as a small exception hierarchy.

Every error has a machine ``code`` (stable, for the API and translations) and a human
``reason`` (shown to the admin). Errors from ffmpeg/ffprobe carry the tail of the
tool's stderr in ``detail`` so a failure can be diagnosed without re-running it.
"""

from __future__ import annotations

__all__ = [
    "AudioError",
    "BadFilename",
    "Empty",
    "Implausible",
    "NotAudio",
    "TooLarge",
    "TooLong",
    "ToolFailed",
    "Truncated",
    "UnsupportedCodec",
]


class AudioError(Exception):
    """Base class: an upload or a conversion that cannot be accepted."""

    code: str = "audio_error"

    def __init__(self, reason: str, *, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail

    def __str__(self) -> str:
        if self.detail:
            return f"{self.reason} ({self.detail})"
        return self.reason

    def as_dict(self) -> dict[str, str]:
        """Plain form for an API error body."""
        return {"code": self.code, "reason": self.reason, "detail": self.detail}


class NotAudio(AudioError):
    """The content is not an audio file ffprobe can read (whatever its name says)."""

    code = "not_audio"


class Truncated(AudioError):
    """The file ends before its own header says it should."""

    code = "truncated"


class Empty(AudioError):
    """Zero bytes, or a valid container with no sound in it."""

    code = "empty"


class TooLong(AudioError):
    """Longer than the limit for its use (checked on the probed duration)."""

    code = "too_long"


class TooLarge(AudioError):
    """More bytes than the upload limit."""

    code = "too_large"


class UnsupportedCodec(AudioError):
    """Readable, but not one of the accepted containers/codecs."""

    code = "unsupported_codec"


class Implausible(AudioError):
    """Stream parameters no real recording has (decompression-bomb shaped)."""

    code = "implausible_stream"


class BadFilename(AudioError):
    """A display name with path separators, control characters or nothing in it."""

    code = "bad_filename"


class ToolFailed(AudioError):
    """ffmpeg/ffprobe failed or timed out; ``detail`` holds its stderr tail."""

    code = "tool_failed"
