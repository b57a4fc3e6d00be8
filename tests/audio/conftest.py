"""Audio fixtures, generated once per session with the real tools (espeak-ng, sox, ffmpeg).

Nothing is committed: speech comes from espeak-ng, music from sox, every format and
every kind of broken file from ffmpeg or a few bytes of Python, into a temp dir.
"""

from __future__ import annotations

import json
import struct
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

SPEECH_TEXT = (
    "Thank you for calling Nordlys Telecom. All our staff are busy right now. "
    "Please stay on the line, and we will answer as soon as we can."
)
FORMATS = {  # name → (file name, ffmpeg codec arguments, expected format label, codec)
    "wav": ("speech.wav", ["-c:a", "pcm_s16le"], "wav", "pcm_s16le"),
    "mp3": ("speech.mp3", ["-c:a", "libmp3lame", "-b:a", "96k"], "mp3", "mp3"),
    "opus": ("speech.opus", ["-c:a", "libopus", "-b:a", "48k", "-f", "ogg"], "ogg", "opus"),
    "vorbis": ("speech.ogg", ["-c:a", "libvorbis", "-q:a", "3"], "ogg", "vorbis"),
    "flac": ("speech.flac", ["-c:a", "flac"], "flac", "flac"),
    "m4a": ("speech.m4a", ["-c:a", "aac", "-b:a", "96k"], "m4a", "aac"),
}


def run(*args: str) -> None:
    subprocess.run(list(args), check=True, capture_output=True, timeout=120)


def ffmpeg(*args: str) -> None:
    run("ffmpeg", "-nostdin", "-v", "error", "-y", *args)


@dataclass(frozen=True)
class Stream:
    codec: str
    sample_rate: int
    channels: int
    duration: float
    format_name: str


def ffprobe(path: Path) -> Stream:
    """Independent look at a file (not through audio.probe)."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
        check=True,
        capture_output=True,
        timeout=30,
    ).stdout
    data = json.loads(out)
    stream = data["streams"][0]
    return Stream(
        codec=stream["codec_name"],
        sample_rate=int(stream["sample_rate"]),
        channels=int(stream["channels"]),
        duration=float(data["format"]["duration"]),
        format_name=data["format"]["format_name"],
    )


def loudness(path: Path) -> tuple[float, float]:
    """(integrated LUFS, sample peak dBFS), measured by ffmpeg directly."""
    err = subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-hide_banner",
            "-nostats",
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
        timeout=60,
        text=True,
    ).stderr
    summary = err[err.rindex("Summary:") :]
    integrated = float(summary.split("I:")[1].split("LUFS")[0])
    peak = float(summary.split("Peak:")[1].split("dBFS")[0])
    return integrated, peak


def wav_header(
    channels: int, rate: int, *, data: bytes = b"\0" * 400, declared: int | None = None
) -> bytes:
    """A hand-made WAV: lets a test declare what no real recording has."""
    block = channels * 2
    fmt = struct.pack("<HHIIHH", 1, channels, rate, (rate * block) & 0xFFFFFFFF, block, 16)
    size = len(data) if declared is None else declared
    body = b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", size)
    return b"RIFF" + struct.pack("<I", len(body) + len(data)) + body + data


@dataclass(frozen=True)
class Media:
    root: Path
    speech: Path  # espeak-ng, 22.05 kHz mono WAV
    formats: dict[str, Path]  # the speech, 44.1 kHz stereo, in every accepted format
    music: Path  # sox chords, 44.1 kHz stereo FLAC, 20 s
    quiet: Path  # speech at -25 dB
    loud: Path  # speech normalised to 0 dBFS peak and compressed
    padded: Path  # speech with 2 s of silence at both ends
    silent: Path  # 5 s of digital silence
    ten_hours: Path  # real 10-hour FLAC of silence (~230 kB)
    long_prompt: Path  # 150 s of tone: over the prompt limit, under the music limit


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> Media:
    root = tmp_path_factory.mktemp("media")
    speech = root / "espeak.wav"
    run("espeak-ng", "-v", "en-us", "-w", str(speech), SPEECH_TEXT)
    stereo = root / "speech-stereo.wav"
    ffmpeg("-i", str(speech), "-ac", "2", "-ar", "44100", str(stereo))
    formats = {}
    for key, (name, codec, _label, _codec) in FORMATS.items():
        formats[key] = root / name
        ffmpeg("-i", str(stereo), *codec, str(formats[key]))
    music = root / "music.flac"
    run(
        "sox",
        "-n",
        "-r",
        "44100",
        "-c",
        "2",
        str(music),
        "synth",
        "20",
        "pluck",
        "C3",
        "pluck",
        "G3",
        "fade",
        "q",
        "0.5",
        "20",
        "1",
    )
    quiet = root / "quiet.wav"
    ffmpeg("-i", str(stereo), "-af", "volume=-25dB", str(quiet))
    loud = root / "loud.wav"
    ffmpeg(
        "-i",
        str(stereo),
        "-af",
        "acompressor=threshold=-30dB:ratio=8:makeup=16,alimiter=limit=1:level=1",
        str(loud),
    )
    padded = root / "padded.wav"
    run("sox", str(speech), str(padded), "pad", "2", "2")
    silent = root / "silent.wav"
    ffmpeg("-f", "lavfi", "-i", "anullsrc=r=8000:cl=mono", "-t", "5", str(silent))
    ten_hours = root / "ten-hours.flac"
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "anullsrc=r=8000:cl=mono:nb_samples=16384",
        "-t",
        "36000",
        "-c:a",
        "flac",
        "-compression_level",
        "0",
        "-frame_size",
        "16384",
        str(ten_hours),
    )
    long_prompt = root / "long.mp3"
    ffmpeg("-f", "lavfi", "-i", "sine=f=440:d=150", "-ac", "1", "-b:a", "32k", str(long_prompt))
    return Media(root, speech, formats, music, quiet, loud, padded, silent, ten_hours, long_prompt)


@pytest.fixture(scope="session")
def broken(media: Media) -> dict[str, Path]:
    """Every kind of bad upload, by name."""
    root = media.root / "broken"
    root.mkdir()
    files: dict[str, Path] = {}

    def write(name: str, data: bytes) -> None:
        files[name] = root / name
        files[name].write_bytes(data)

    def cut(name: str, src: Path, fraction: float = 0.5) -> None:
        data = src.read_bytes()
        write(name, data[: int(len(data) * fraction)])

    write("pdf-renamed.mp3", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" * 40 + b"%%EOF")
    write("text.wav", b"Dette er ikke lyd.\n" * 100)
    write("zero.mp3", b"")
    for key in ("wav", "mp3", "opus", "flac", "m4a"):
        cut(f"truncated.{key}", media.formats[key])
    faststart = root / "faststart.m4a"
    ffmpeg(
        "-i", str(media.formats["wav"]), "-c:a", "aac", "-movflags", "+faststart", str(faststart)
    )
    cut("truncated-faststart.m4a", faststart, 0.6)
    write("channels-bomb.wav", wav_header(255, 8000))
    write("rate-bomb.wav", wav_header(1, 2_000_000_000))
    write("header-only.wav", wav_header(1, 8000, data=b""))
    flac = bytearray(media.formats["flac"].read_bytes()[:40_000])
    # STREAMINFO's 36-bit total-samples field: claim 1,000 hours at 44.1 kHz.
    packed = int.from_bytes(flac[18:26], "big")
    packed = (packed & ~((1 << 36) - 1)) | (44_100 * 3600 * 1000)
    flac[18:26] = packed.to_bytes(8, "big")
    write("duration-bomb.flac", bytes(flac))
    ac3 = root / "tone.ac3"
    ffmpeg("-f", "lavfi", "-i", "sine=f=440:d=3", "-c:a", "ac3", str(ac3))
    files["ac3"] = ac3
    adpcm = root / "adpcm.wav"
    ffmpeg("-f", "lavfi", "-i", "sine=f=440:d=3", "-c:a", "adpcm_ms", str(adpcm))
    files["adpcm.wav"] = adpcm
    return files


@pytest.fixture
def dest(tmp_path: Path) -> Path:
    path = tmp_path / "assets"
    path.mkdir()
    return path


@pytest.fixture
def probe_file() -> Callable[[Path], Stream]:
    return ffprobe
