"""Upload limits, configurable by the installation."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Limits"]


@dataclass(frozen=True)
class Limits:
    """What an upload may be. Defaults follow issue 5.

    ``tool_timeout`` bounds every ffmpeg/ffprobe run; it must cover decoding the
    longest allowed file on a slow machine, so it is minutes, not seconds.
    """

    max_bytes: int = 50 * 1024 * 1024
    max_music_seconds: float = 15 * 60
    max_prompt_seconds: float = 2 * 60
    max_channels: int = 8
    min_sample_rate: int = 4_000
    max_sample_rate: int = 192_000
    tool_timeout: float = 300.0
    probe_timeout: float = 30.0

    def max_seconds(self, *, music: bool) -> float:
        """Duration limit for music (hold music) or for everything else (prompts)."""
        return self.max_music_seconds if music else self.max_prompt_seconds
