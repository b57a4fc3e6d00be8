"""Loudness: measured as EBU R128 integrated loudness, corrected by one static gain.

Method: ffmpeg's ``ebur128`` filter measures integrated loudness (K-weighted, gated)
and sample peak on the 8 kHz mono signal a caller actually hears. One gain brings it
to ``TARGET_LUFS``; if that gain would push the sample peak above
``PEAK_CEILING_DBFS``, a look-ahead limiter (``alimiter``) holds the peaks instead of
lowering the whole file, so quiet-but-peaky recordings still reach the target.
Static gain (not ``loudnorm``'s dynamic mode) keeps music dynamics intact and costs
almost nothing on top of decoding.

-19 LUFS is a common target for speech on phone/streaming paths: loud enough over
G.711 next to other callers' prompts, with headroom for μ-law.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "MAX_GAIN_DB",
    "PEAK_CEILING_DBFS",
    "SILENCE_LUFS",
    "TARGET_LUFS",
    "Loudness",
    "gain_filters",
    "parse_ebur128",
]

TARGET_LUFS = -19.0
PEAK_CEILING_DBFS = -1.0
MAX_GAIN_DB = 30.0  # beyond this we would mostly be amplifying noise
SILENCE_LUFS = -69.5  # ebur128 reports -70 when nothing passes the absolute gate

# The measurement filter (after resampling to 8 kHz mono); ebur128 works at 48 kHz.
MEASURE_FILTER = "aresample=48000,ebur128=peak=sample:framelog=verbose"

_SUMMARY = re.compile(
    r"Integrated loudness:\s*I:\s*(?P<i>-?[\d.]+|-inf|nan)\s*LUFS.*?"
    r"Sample peak:\s*Peak:\s*(?P<p>-?[\d.]+|-inf|nan)\s*dBFS",
    re.S,
)


@dataclass(frozen=True)
class Loudness:
    """Integrated loudness (LUFS) and sample peak (dBFS) of a signal."""

    integrated: float
    peak: float

    @property
    def silent(self) -> bool:
        """Nothing above the R128 absolute gate: there is no sound to normalise."""
        return self.integrated <= SILENCE_LUFS

    def gain(self, target: float = TARGET_LUFS) -> float:
        """dB to add to reach ``target``, capped at ``MAX_GAIN_DB``."""
        if self.silent:
            return 0.0
        return min(target - self.integrated, MAX_GAIN_DB)

    def needs_limiter(self, target: float = TARGET_LUFS) -> bool:
        """Whether the gain would put sample peaks above the ceiling."""
        return self.peak + self.gain(target) > PEAK_CEILING_DBFS


def parse_ebur128(stderr: str) -> Loudness | None:
    """The summary ebur128 prints when the stream ends; None if it is missing."""
    found = None
    for found in _SUMMARY.finditer(stderr):  # noqa: B007 - the last summary wins
        pass
    if found is None:
        return None
    return Loudness(integrated=_db(found["i"]), peak=_db(found["p"]))


def _db(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        return float("-inf")
    return value if value == value else float("-inf")


def gain_filters(loudness: Loudness, target: float = TARGET_LUFS) -> list[str]:
    """ffmpeg filters that apply the static gain (and the limiter when needed)."""
    gain = loudness.gain(target)
    filters = [f"volume={gain:.2f}dB"]
    if loudness.needs_limiter(target):
        ceiling = 10 ** (PEAK_CEILING_DBFS / 20)
        filters.append(f"alimiter=limit={ceiling:.4f}:level=0:latency=1:attack=5:release=50")
    return filters
