"""Run the generated corpus through the real pipeline and score music detection."""

from __future__ import annotations

from pathlib import Path

from audio.music_detect import MusicEstimate, estimate
from audio.probe import probe
from audio.transcode import telephony
from tests.audio.corpus import Clip

Result = tuple[Clip, MusicEstimate]


def evaluate(clips: list[Clip], workdir: Path) -> list[Result]:
    """Each clip becomes a telephony rendition (what ingest analyses), then is estimated."""
    workdir.mkdir(parents=True, exist_ok=True)
    results = []
    for clip in clips:
        info = probe(clip.path)
        pcm = workdir / f"{clip.path.stem}.pcm.wav"
        telephony(
            clip.path,
            pcm,
            workdir / f"{clip.path.stem}.ulaw.wav",
            channels=info.channels,
            declared_seconds=info.duration,
            max_seconds=900,
            trim_silence=False,
            timeout=60,
        )
        results.append((clip, estimate(pcm)))
    return results


def counts(results: list[Result]) -> dict[tuple[str, str], int]:
    table = {(t, p): 0 for t in ("speech", "music") for p in ("speech", "music")}
    for clip, found in results:
        table[clip.truth, found.label] += 1
    return table


def accuracy(results: list[Result]) -> float:
    return sum(clip.truth == found.label for clip, found in results) / len(results)


def confusion(results: list[Result]) -> str:
    table = counts(results)
    lines = [
        "truth \\ estimate   speech  music",
        f"speech             {table['speech', 'speech']:6d} {table['speech', 'music']:6d}",
        f"music              {table['music', 'speech']:6d} {table['music', 'music']:6d}",
        f"accuracy {accuracy(results):.2f} on {len(results)} clips",
    ]
    return "\n".join(lines)
