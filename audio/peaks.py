"""Waveform peaks for the editor's player, computed without loading the file.

Reads a 16-bit PCM WAV (the telephony rendition) in chunks and keeps one
(min, max) pair per bucket, so an hour of audio costs a few kilobytes of memory
and the browser draws the waveform without downloading the audio first.
"""

from __future__ import annotations

import wave
from pathlib import Path
from typing import Any

from audio._pydub import audioop
from audio.errors import NotAudio

__all__ = ["DEFAULT_BUCKETS", "peaks"]

DEFAULT_BUCKETS = 800
_FULL_SCALE = 32768.0
CHUNK_FRAMES = 65_536


def peaks(path: Path | str, buckets: int = DEFAULT_BUCKETS) -> dict[str, Any]:
    """JSON-ready waveform: ``{"duration", "sample_rate", "buckets", "peaks": [[min, max]…]}``.

    Values are in -1..1 with three decimals. A file shorter than ``buckets``
    samples gets one bucket per sample.
    """
    if buckets < 1:
        raise ValueError("buckets must be at least 1")
    try:
        with wave.open(str(path), "rb") as wav:
            if wav.getsampwidth() != 2:
                raise NotAudio("Peaks need a 16-bit PCM WAV (the telephony rendition).")
            channels = wav.getnchannels()
            rate = wav.getframerate()
            total = wav.getnframes()
            count = max(1, min(buckets, total))
            if channels > 2:
                raise NotAudio("Peaks need a mono or stereo WAV.")
            pairs: list[list[float]] = []
            position = 0
            for index in range(count):
                end = (index + 1) * total // count
                low, high = _FULL_SCALE, -_FULL_SCALE
                while position < end:
                    step = min(CHUNK_FRAMES, end - position)
                    frames = wav.readframes(step)
                    if not frames:
                        position = end
                        break
                    position += step
                    if channels == 2:
                        frames = audioop.tomono(frames, 2, 0.5, 0.5)
                    chunk_low, chunk_high = audioop.minmax(frames, 2)
                    low, high = min(low, chunk_low), max(high, chunk_high)
                if low > high:  # nothing read
                    low = high = 0
                pairs.append([round(low / _FULL_SCALE, 3), round(high / _FULL_SCALE, 3)])
    except (wave.Error, EOFError) as exc:
        raise NotAudio("Peaks could not read the WAV.", detail=str(exc)) from None
    return {
        "duration": round(total / rate, 3) if rate else 0.0,
        "sample_rate": rate,
        "buckets": len(pairs) if total else 0,
        "peaks": pairs if total else [],
    }
