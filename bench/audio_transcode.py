"""How fast and how lean the telephony rendition is, against plain ffmpeg.

Generates a 5-minute 44.1 kHz stereo MP3 (sine chords, tremolo and pink noise via
ffmpeg's lavfi sources) and makes the telephony rendition (8 kHz mono PCM WAV plus
μ-law WAV, loudness-normalised to -19 LUFS) three ways, best of ``--repeat`` runs:

* ours: ``audio.probe.probe`` + ``audio.transcode.telephony`` (what ``ingest`` runs
  for the telephony rendition: probe, decode+downmix+resample+R128 measurement in
  one ffmpeg pass, gain/limiter into both WAVs in a second pass over 8 kHz data);
* plain: the same job typed as ffmpeg commands - an ``ebur128`` measurement pass
  over the MP3's mono mix, then one command applying the same ``volume`` (and
  limiter when needed) and writing both WAVs;
* loudnorm (context only): one-pass ``loudnorm`` (dynamic R128) into both WAVs.

Then, in a child process, a full ``ingest`` (all renditions, hash, music estimate,
plus peaks) of a 60-minute file, reporting the peak resident memory of the Python
process and of the largest ffmpeg/ffprobe it ran.

Targets: ours / plain <= 1.25; peak resident memory < 200 MB.

    .venv/bin/python bench/audio_transcode.py [--minutes 5] [--long-minutes 60] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from audio.ingest import ingest
from audio.limits import Limits
from audio.loudness import PEAK_CEILING_DBFS, TARGET_LUFS, gain_filters, parse_ebur128
from audio.peaks import peaks
from audio.probe import probe
from audio.transcode import telephony

FFMPEG = ["ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-y"]
DOWNMIX = "pan=mono|c0=0.5*c0+0.5*c1"  # measured on what is played: the mono mix


def make_mp3(path: Path, minutes: float) -> None:
    seconds = minutes * 60
    graph = (
        f"sine=f=220:sample_rate=44100:d={seconds}[a];"
        f"sine=f=277.2:sample_rate=44100:d={seconds}[b];"
        f"anoisesrc=color=pink:amplitude=0.05:sample_rate=44100:d={seconds}[n];"
        "[a][b]amerge=inputs=2,tremolo=f=0.5:d=0.5[ab];"
        "[n]aformat=channel_layouts=stereo[ns];"
        "[ab][ns]amix=inputs=2:normalize=0[out]"
    )
    subprocess.run(
        [
            *FFMPEG,
            "-v",
            "error",
            "-filter_complex",
            graph,
            "-map",
            "[out]",
            "-c:a",
            "libmp3lame",
            "-b:a",
            "128k",
            str(path),
        ],
        check=True,
        timeout=600,
    )


def ours(src: Path, out: Path) -> None:
    info = probe(src)
    telephony(
        src,
        out / "ours.wav",
        out / "ours.ulaw.wav",
        channels=info.channels,
        declared_seconds=info.duration,
        max_seconds=4 * 3600,
        trim_silence=False,
        timeout=600,
    )


def plain(src: Path, out: Path) -> None:
    measured = subprocess.run(
        [
            *FFMPEG,
            "-i",
            str(src),
            "-af",
            f"{DOWNMIX},ebur128=peak=sample:framelog=verbose",
            "-f",
            "null",
            "-",
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    ).stderr
    loudness = parse_ebur128(measured)
    assert loudness is not None
    chain = ",".join([DOWNMIX, "aresample=8000", *gain_filters(loudness)])
    subprocess.run(
        [
            *FFMPEG,
            "-v",
            "error",
            "-i",
            str(src),
            "-filter_complex",
            f"[0:a]{chain},asplit[p][u]",
            "-map",
            "[p]",
            "-c:a",
            "pcm_s16le",
            str(out / "plain.wav"),
            "-map",
            "[u]",
            "-c:a",
            "pcm_mulaw",
            str(out / "plain.ulaw.wav"),
        ],
        check=True,
        timeout=600,
    )


def loudnorm(src: Path, out: Path) -> None:
    chain = (
        f"loudnorm=I={TARGET_LUFS}:TP={PEAK_CEILING_DBFS},"
        "aresample=8000,aformat=channel_layouts=mono"
    )
    subprocess.run(
        [
            *FFMPEG,
            "-v",
            "error",
            "-i",
            str(src),
            "-filter_complex",
            f"[0:a]pan=mono|c0=0.5*c0+0.5*c1,{chain},asplit[p][u]",
            "-map",
            "[p]",
            "-c:a",
            "pcm_s16le",
            str(out / "ln.wav"),
            "-map",
            "[u]",
            "-c:a",
            "pcm_mulaw",
            str(out / "ln.ulaw.wav"),
        ],
        check=True,
        timeout=1200,
    )


def integrated(path: Path) -> str:
    """Loudness of a result, so the three outputs can be seen to be the same job."""
    err = subprocess.run(
        [
            *FFMPEG,
            "-i",
            str(path),
            "-af",
            "ebur128=peak=sample:framelog=verbose",
            "-f",
            "null",
            "-",
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    ).stderr
    found = parse_ebur128(err)
    return "?" if found is None else f"{found.integrated:.1f} LUFS, peak {found.peak:.1f} dBFS"


def best_of(repeat: int, job: Callable[[Path, Path], None], src: Path, out: Path) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        job(src, out)
        times.append(time.perf_counter() - start)
    return min(times)


def measure_memory(src: Path, out: Path) -> dict[str, float]:
    """Run in a child: full ingest of ``src``; report peak RSS of self and children."""
    start = time.perf_counter()
    limits = Limits(max_bytes=500 * 1024 * 1024, max_music_seconds=4 * 3600, tool_timeout=1200)
    result = ingest(src, out, use="hold_music", limits=limits)
    data = peaks(result.renditions.telephony_pcm, buckets=2000)
    elapsed = time.perf_counter() - start
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "seconds": elapsed,
        "duration": result.duration,
        "python_mb": own,
        "tool_mb": children,
        "buckets": data["buckets"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--long-minutes", type=float, default=60)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--memory-child", nargs=2, metavar=("SRC", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        print(json.dumps(measure_memory(Path(args.memory_child[0]), Path(args.memory_child[1]))))
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        src = root / "five.mp3"
        make_mp3(src, args.minutes)
        print(f"input: {args.minutes:g} min 44.1 kHz stereo MP3, {src.stat().st_size / 1e6:.1f} MB")
        t_ours = best_of(args.repeat, ours, src, root)
        t_plain = best_of(args.repeat, plain, src, root)
        t_loudnorm = best_of(1, loudnorm, src, root)
        ratio = t_ours / t_plain
        print(f"ours  (probe + decode/measure + gain → PCM+μ-law): {t_ours:7.2f} s")
        print(f"plain ffmpeg (ebur128 pass + volume → PCM+μ-law):  {t_plain:7.2f} s")
        print(
            f"ratio ours/plain: {ratio:.2f}  (target <= 1.25)  {'OK' if ratio <= 1.25 else 'MISS'}"
        )
        print(f"context: one-pass loudnorm → PCM+μ-law:            {t_loudnorm:7.2f} s")
        for label, name in (("ours", "ours"), ("plain", "plain"), ("loudnorm", "ln")):
            print(f"  {label:9} output: {integrated(root / f'{name}.wav')}")

        long_src = root / "long.mp3"
        start = time.perf_counter()
        make_mp3(long_src, args.long_minutes)
        made = time.perf_counter() - start
        print(
            f"\ninput: {args.long_minutes:g} min MP3, {long_src.stat().st_size / 1e6:.1f} MB "
            f"(generated in {made:.0f} s)"
        )
        out = root / "long-out"
        out.mkdir()
        child = subprocess.run(
            [sys.executable, __file__, "--memory-child", str(long_src), str(out)],
            check=True,
            capture_output=True,
            text=True,
            timeout=3600,
        )
        mem = json.loads(child.stdout.strip().splitlines()[-1])
        peak = max(mem["python_mb"], mem["tool_mb"])
        print(
            "full ingest (telephony + opus + hash + music estimate) + peaks: "
            f"{mem['seconds']:.1f} s"
            f" for {mem['duration'] / 60:.1f} min"
        )
        print(
            f"peak resident: python {mem['python_mb']:.0f} MB, "
            f"largest ffmpeg {mem['tool_mb']:.0f} MB"
        )
        print(f"target < 200 MB: {'OK' if peak < 200 else 'MISS'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
