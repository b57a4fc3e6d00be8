"""Renditions: telephony WAVs (PCM and μ-law, 8 kHz mono) and OGG/Opus.

The split between ffmpeg and pydub is by data size. Decoding, resampling and
downmixing a whole upload (up to an hour of 44.1 kHz stereo, ~635 MB decoded) is
done by ffmpeg streaming file to file, so memory stays flat. pydub works where the
data is small: finding the silence to trim at the ends of prompts (at most two
minutes of 8 kHz mono, ~2 MB) and synthesising the default sounds (``audio.synth``).

Steps for the telephony rendition:
1. ``decode``: one ffmpeg pass decodes the first audio stream, averages the channels
   to mono, resamples to 8 kHz into a 16-bit intermediate and, on a split of the same
   signal, measures EBU R128 loudness (``audio.loudness``).
2. prompts only: ``silence_bounds`` (pydub) finds where the sound starts and ends.
3. ``render_telephony``: one ffmpeg pass over the small intermediate applies the
   trim and the loudness gain (plus limiter if needed) and writes both PCM and μ-law.
"""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path

from audio._pydub import AudioSegment, silence
from audio.errors import Empty, NotAudio, TooLong, Truncated
from audio.loudness import MEASURE_FILTER, Loudness, gain_filters, parse_ebur128
from audio.tools import ffmpeg_binary, run, stderr_tail

__all__ = [
    "TELEPHONY_RATE",
    "Decoded",
    "Trim",
    "decode",
    "render_opus",
    "render_telephony",
    "silence_bounds",
    "telephony",
    "wav_seconds",
]

TELEPHONY_RATE = 8000
TRIM_PAD_MS = 150  # keep a breath of silence so the prompt does not start abruptly
TRIM_BELOW_LOUDNESS_DB = 35.0  # "silence" = this far below the measured loudness
TRIM_FLOOR_DBFS = -65.0
TRUNCATION_TOLERANCE = (0.5, 0.03)  # seconds, fraction of the declared duration
SHORT_CLIP_SECONDS = 2.0  # below this a clip may hold too few R128 blocks to be measured

_FFMPEG_COMMON = ["-nostdin", "-hide_banner", "-nostats", "-y"]
_BITEXACT = ["-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact"]


@dataclass(frozen=True)
class Decoded:
    """What the decode pass learnt: loudness and how much audio there really was."""

    loudness: Loudness
    seconds: float


@dataclass(frozen=True)
class Trim:
    """Seconds to keep, on the original timeline; ``end`` None = to the end."""

    start: float = 0.0
    end: float | None = None

    def filter(self) -> list[str]:
        if self.start <= 0 and self.end is None:
            return []
        end = "" if self.end is None else f":end={self.end:.3f}"
        return [f"atrim=start={self.start:.3f}{end}", "asetpts=PTS-STARTPTS"]


def downmix_filter(channels: int) -> list[str]:
    """Average all channels into one: never clips, unlike summing."""
    if channels <= 1:
        return []
    share = 1.0 / channels
    terms = "+".join(f"{share:.6f}*c{index}" for index in range(channels))
    return [f"pan=mono|c0={terms}"]


def wav_seconds(path: Path) -> float:
    """Duration of a PCM WAV from its header."""
    try:
        with wave.open(str(path), "rb") as wav:
            return wav.getnframes() / wav.getframerate()
    except (wave.Error, EOFError, ZeroDivisionError) as exc:
        raise NotAudio("ffmpeg produced an unreadable WAV.", detail=str(exc)) from None


def decode(
    src: Path,
    intermediate: Path,
    *,
    channels: int,
    declared_seconds: float,
    max_seconds: float,
    timeout: float,
) -> Decoded:
    """Decode + downmix + resample to an 8 kHz 16-bit WAV, measuring loudness on the way.

    Reading stops at ``max_seconds`` plus a second, so a file whose header lies about
    its length cannot make us decode for hours; decoding that much means ``TooLong``.
    Decoding clearly less than the header declared means ``Truncated``.
    """
    chain = ",".join([*downmix_filter(channels), f"aresample={TELEPHONY_RATE}"])
    graph = f"[0:a:0]{chain},asplit=2[tel][m];[m]{MEASURE_FILTER}[e]"
    proc = run(
        [
            ffmpeg_binary(),
            *_FFMPEG_COMMON,
            "-loglevel",
            "info",
            "-t",
            f"{max_seconds + 1:.3f}",
            "-i",
            str(src),
            "-filter_complex",
            graph,
            "-map",
            "[tel]",
            "-c:a",
            "pcm_s16le",
            *_BITEXACT,
            "-f",
            "wav",
            str(intermediate),
            "-map",
            "[e]",
            "-f",
            "null",
            "-",
        ],
        timeout=timeout,
        what="ffmpeg (decode)",
        check=False,
    )
    text = proc.stderr.decode("utf-8", "replace")
    if proc.returncode != 0 or not intermediate.exists():
        raise NotAudio("ffmpeg could not decode this file.", detail=stderr_tail(text))
    loudness = parse_ebur128(text)
    if loudness is None:
        raise NotAudio("ffmpeg could not measure this file.", detail=stderr_tail(text))
    seconds = wav_seconds(intermediate)
    if seconds <= 0:
        raise Empty("The file contains no sound.", detail=stderr_tail(text))
    if seconds > max_seconds:
        raise TooLong(
            "The file decodes to more audio than its header declares and the limit allows."
        )
    slack = max(TRUNCATION_TOLERANCE[0], TRUNCATION_TOLERANCE[1] * declared_seconds)
    if declared_seconds >= 0 and seconds < declared_seconds - slack:
        raise Truncated(
            f"The file stops after {seconds:.1f} s but says it is {declared_seconds:.1f} s long.",
            detail=stderr_tail(text),
        )
    if loudness.silent and seconds < SHORT_CLIP_SECONDS:
        loudness = _short_clip_loudness(intermediate, loudness)
    if loudness.silent:
        raise Empty("The file contains only silence.")
    return Decoded(loudness=loudness, seconds=seconds)


def _short_clip_loudness(intermediate: Path, measured: Loudness) -> Loudness:
    """R128 gating needs 400 ms blocks, so a beep reads as silence; for such short
    clips the plain RMS level (pydub, the clip is tiny) stands in for loudness."""
    with intermediate.open("rb") as fh:
        level = AudioSegment.from_wav(fh).dBFS
    return Loudness(integrated=max(level, -70.0), peak=measured.peak)


def silence_bounds(intermediate: Path, loudness: Loudness) -> Trim:
    """Where the sound starts and ends (pydub), with a little padding kept.

    Only for prompts: music may legitimately begin or end softly, and a hold loop
    must keep its length. The threshold is relative to the measured loudness so a
    quiet recording is not trimmed into its words.
    """
    with intermediate.open("rb") as fh:  # pydub leaves files it opened itself unclosed
        segment = AudioSegment.from_wav(fh)
    threshold = max(loudness.integrated - TRIM_BELOW_LOUDNESS_DB, TRIM_FLOOR_DBFS)
    lead = silence.detect_leading_silence(segment, silence_threshold=threshold, chunk_size=10)
    tail = silence.detect_leading_silence(
        segment.reverse(), silence_threshold=threshold, chunk_size=10
    )
    length = len(segment)
    if lead >= length:
        return Trim()
    start_ms = max(0, lead - TRIM_PAD_MS)
    end_ms = min(length, length - tail + TRIM_PAD_MS)
    return Trim(start=start_ms / 1000, end=None if end_ms >= length else end_ms / 1000)


def render_telephony(
    intermediate: Path,
    pcm_path: Path,
    ulaw_path: Path,
    *,
    loudness: Loudness,
    trim: Trim,
    timeout: float,
) -> None:
    """Trim + gain the 8 kHz intermediate into PCM and μ-law WAVs in one ffmpeg run."""
    chain = ",".join([*trim.filter(), *gain_filters(loudness)])
    run(
        [
            ffmpeg_binary(),
            *_FFMPEG_COMMON,
            "-v",
            "error",
            "-i",
            str(intermediate),
            "-filter_complex",
            f"[0:a]{chain},asplit=2[p][u]",
            "-map",
            "[p]",
            "-c:a",
            "pcm_s16le",
            *_BITEXACT,
            "-f",
            "wav",
            str(pcm_path),
            "-map",
            "[u]",
            "-c:a",
            "pcm_mulaw",
            *_BITEXACT,
            "-f",
            "wav",
            str(ulaw_path),
        ],
        timeout=timeout,
        what="ffmpeg (telephony rendition)",
    )


def render_opus(
    src: Path,
    dest: Path,
    *,
    channels: int,
    loudness: Loudness,
    trim: Trim,
    stereo: bool,
    timeout: float,
) -> None:
    """OGG/Opus from the original (full band, for browsers and Telegram voice notes).

    The gain measured at 8 kHz is reused: it is what the caller hears, and one gain
    for all renditions keeps them consistent with each other.
    """
    out_channels = 2 if stereo and channels >= 2 else 1
    mix = [] if out_channels == 2 else downmix_filter(channels)
    if out_channels == 2 and channels > 2:
        mix = ["aformat=channel_layouts=stereo"]
    chain = ",".join([*mix, *trim.filter(), *gain_filters(loudness)])
    bitrate = "64k" if out_channels == 2 else "32k"
    run(
        [
            ffmpeg_binary(),
            *_FFMPEG_COMMON,
            "-v",
            "error",
            "-i",
            str(src),
            "-map",
            "0:a:0",
            "-vn",
            "-sn",
            "-dn",
            "-af",
            chain,
            "-ac",
            str(out_channels),
            "-ar",
            "48000",
            "-c:a",
            "libopus",
            "-b:a",
            bitrate,
            "-application",
            "audio" if stereo else "voip",
            *_BITEXACT,
            "-f",
            "ogg",
            str(dest),
        ],
        timeout=timeout,
        what="ffmpeg (opus rendition)",
    )


@dataclass(frozen=True)
class TelephonyResult:
    pcm: Path
    ulaw: Path
    decoded: Decoded
    trim: Trim
    seconds: float  # of the rendition, after trimming


def telephony(
    src: Path,
    pcm_path: Path,
    ulaw_path: Path,
    *,
    channels: int,
    declared_seconds: float,
    max_seconds: float,
    trim_silence: bool,
    timeout: float,
) -> TelephonyResult:
    """Both telephony WAVs for ``src``; the intermediate is removed whatever happens."""
    intermediate = pcm_path.with_name(pcm_path.name + ".decoding.wav")
    try:
        decoded = decode(
            src,
            intermediate,
            channels=channels,
            declared_seconds=declared_seconds,
            max_seconds=max_seconds,
            timeout=timeout,
        )
        trim = silence_bounds(intermediate, decoded.loudness) if trim_silence else Trim()
        render_telephony(
            intermediate,
            pcm_path,
            ulaw_path,
            loudness=decoded.loudness,
            trim=trim,
            timeout=timeout,
        )
    finally:
        intermediate.unlink(missing_ok=True)
    return TelephonyResult(
        pcm=pcm_path, ulaw=ulaw_path, decoded=decoded, trim=trim, seconds=wav_seconds(pcm_path)
    )
