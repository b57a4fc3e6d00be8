"""A light speech/music estimate from the 8 kHz telephony rendition.

Speech alternates syllables and short pauses, and voiced sounds with hissy
consonants, a few times a second; music keeps its energy up and its spectrum
steady. Three classic time-domain measures of that (Scheirer & Slaney 1997,
Lu et al. 2002), computed on 20 ms frames with ``audioop`` (C speed, no numpy):

* low-energy ratio: share of frames quieter than half their second's mean energy;
* high-zero-crossing ratio: share of frames crossing zero 1.5 times more than their
  second's mean (fricatives);
* energy modulation: spread of frame-to-frame log-energy changes.

Each votes with a fixed threshold; two or more votes say "speech". It is a hint to
flag "declared as speech, sounds like music" for an admin to look at, not a
classifier to trust with decisions: see the confusion matrix in tests/audio.
"""

from __future__ import annotations

import itertools
import math
import statistics
import wave
from dataclasses import dataclass
from pathlib import Path

from audio._pydub import audioop
from audio.errors import NotAudio

__all__ = ["MusicEstimate", "Thresholds", "estimate", "features"]

FRAME_MS = 20
WINDOW_FRAMES = 50  # one second
SILENT_RMS = 30  # about -60 dBFS on 16-bit samples
MIN_SECONDS = 3.0  # below this there are too few seconds to judge


@dataclass(frozen=True)
class Thresholds:
    """Above these a feature votes "speech"."""

    low_energy_ratio: float = 0.25
    high_zcr_ratio: float = 0.10
    energy_modulation: float = 2.0  # dB per 20 ms frame


@dataclass(frozen=True)
class MusicEstimate:
    """The features, the votes and the verdict."""

    low_energy_ratio: float
    high_zcr_ratio: float
    energy_modulation: float
    speech_votes: int
    seconds_analysed: float

    @property
    def conclusive(self) -> bool:
        """Enough sound was analysed for the verdict to mean something."""
        return self.seconds_analysed >= MIN_SECONDS

    @property
    def is_music(self) -> bool:
        return self.speech_votes < 2

    @property
    def label(self) -> str:
        return "music" if self.is_music else "speech"


def _frames(path: Path, max_seconds: float) -> tuple[list[int], list[int], int]:
    try:
        with wave.open(str(path), "rb") as wav:
            if wav.getsampwidth() != 2 or wav.getnchannels() != 1:
                raise NotAudio("Music detection needs a 16-bit mono WAV (the telephony rendition).")
            rate = wav.getframerate()
            size = rate * FRAME_MS // 1000
            limit = int(max_seconds * rate)
            rms: list[int] = []
            zcr: list[int] = []
            read = 0
            while read + size <= limit:
                frame = wav.readframes(size)
                if len(frame) < size * 2:
                    break
                read += size
                rms.append(audioop.rms(frame, 2))
                zcr.append(audioop.cross(frame, 2))
    except (wave.Error, EOFError) as exc:
        raise NotAudio("Music detection could not read the WAV.", detail=str(exc)) from None
    return rms, zcr, rate


def features(
    path: Path, *, max_seconds: float = 60.0, thresholds: Thresholds | None = None
) -> MusicEstimate:
    """Measure the three features on up to ``max_seconds`` of a 16-bit mono WAV."""
    thresholds = thresholds or Thresholds()
    rms, zcr, _rate = _frames(path, max_seconds)
    ler_values: list[float] = []
    hzcr_values: list[float] = []
    for start in range(0, max(1, len(rms) - WINDOW_FRAMES // 2), WINDOW_FRAMES):
        window_rms = rms[start : start + WINDOW_FRAMES]
        window_zcr = zcr[start : start + WINDOW_FRAMES]
        if len(window_rms) < WINDOW_FRAMES // 2:
            continue
        mean_rms = statistics.fmean(window_rms)
        if mean_rms < SILENT_RMS:
            continue  # a pause between sentences says nothing about the content
        ler_values.append(sum(v < 0.5 * mean_rms for v in window_rms) / len(window_rms))
        mean_zcr = statistics.fmean(window_zcr)
        hzcr_values.append(sum(v > 1.5 * mean_zcr for v in window_zcr) / len(window_zcr))
    log_energy = [math.log10(max(v, 1)) * 20 for v in rms if v >= SILENT_RMS]
    deltas = [abs(b - a) for a, b in itertools.pairwise(log_energy)]
    ler = statistics.fmean(ler_values) if ler_values else 0.0
    hzcr = statistics.fmean(hzcr_values) if hzcr_values else 0.0
    modulation = statistics.fmean(deltas) if deltas else 0.0
    votes = (
        (ler > thresholds.low_energy_ratio)
        + (hzcr > thresholds.high_zcr_ratio)
        + (modulation > thresholds.energy_modulation)
    )
    return MusicEstimate(
        low_energy_ratio=round(ler, 4),
        high_zcr_ratio=round(hzcr, 4),
        energy_modulation=round(modulation, 4),
        speech_votes=int(votes),
        seconds_analysed=len(rms) * FRAME_MS / 1000,
    )


def estimate(path: Path | str, *, max_seconds: float = 60.0) -> MusicEstimate:
    """Speech/music estimate of a telephony rendition (8 kHz mono 16-bit WAV)."""
    return features(Path(path), max_seconds=max_seconds)
