"""The generated speech/music set used to measure music detection.

Speech comes from espeak-ng (Danish and English, several voices and speeds, clean
and with pink noise), music from sox (chord progressions, melodies, an ambient pad,
with and without percussion and noise).
Everything is generated into a directory at test/bench time, never committed.

    .venv/bin/python -m tests.audio.corpus     # prints the confusion matrix
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

SENTENCES = {
    "en": [
        "Thank you for calling. All our staff are busy, please stay on the line.",
        "Press one for sales, press two for support, or stay on the line for reception.",
        "Our offices are closed. We are open Monday to Friday from eight to four.",
        "Please leave a message after the tone, with your name and your phone number.",
    ],
    "da": [
        "Tak fordi du ringer. Alle medarbejdere er optaget, bliv venligst i røret.",
        "Tryk et for salg, tryk to for support, eller bliv i røret for omstillingen.",
        "Vi har lukket nu. Vi har åbent mandag til fredag fra klokken otte til seksten.",
        "Indtal venligst en besked efter tonen med dit navn og dit telefonnummer.",
    ],
}
VOICES = {"en": ["en-us", "en-gb+f3", "en-us+m3"], "da": ["da", "da+f2", "da+m4"]}
SPEEDS = [150, 185]

CHORDS = {  # four-chord progressions, note names sox understands
    "pop": [("C4", "E4", "G4"), ("A3", "C4", "E4"), ("F3", "A3", "C4"), ("G3", "B3", "D4")],
    "minor": [("A3", "C4", "E4"), ("F3", "A3", "C4"), ("C4", "E4", "G4"), ("G3", "B3", "D4")],
    "jazz": [("D4", "F4", "A4"), ("G3", "B3", "F4"), ("C4", "E4", "B4"), ("A3", "C#4", "G4")],
}
MELODIES = {
    "scale": ["C5", "D5", "E5", "F5", "G5", "A5", "B5", "C6"] * 2,
    "tune": ["E5", "D5", "C5", "D5", "E5", "E5", "E5", "D5", "D5", "D5", "E5", "G5", "G5"],
}


@dataclass(frozen=True)
class Clip:
    path: Path
    truth: str  # "speech" or "music"


def _run(args: list[str]) -> None:
    subprocess.run(args, check=True, capture_output=True, timeout=120)


def speech(dest: Path) -> list[Clip]:
    clips = []
    for lang, sentences in SENTENCES.items():
        for index, text in enumerate(sentences):
            for take in range(2):
                voice = VOICES[lang][(index + take) % len(VOICES[lang])]
                speed = SPEEDS[(index + take) % len(SPEEDS)]
                path = dest / f"speech-{lang}-{index}-{take}.wav"
                _run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(path), text])
                clips.append(Clip(path, "speech"))
    return clips


def _chords(path: Path, chords: list[tuple[str, str, str]], voice: str, seconds: float) -> None:
    args = ["sox", "-n", "-r", "16000", "-c", "1", str(path)]
    for index, chord in enumerate(chords * 2):
        if index:
            args.append(":")
        args += ["synth", str(seconds)]
        for note in chord:
            args += [voice, note]
        args += ["remix", "-", "fade", "q", "0.02", str(seconds), "0.3", "norm", "-6"]
    _run(args)


def _melody(path: Path, notes: list[str], voice: str, seconds: float) -> None:
    args = ["sox", "-n", "-r", "16000", "-c", "1", str(path)]
    for index, note in enumerate(notes):
        if index:
            args.append(":")
        args += ["synth", str(seconds), voice, note, "fade", "q", "0.01", str(seconds), "0.05"]
    _run(args)


def _percussion(path: Path, seconds: float, beat: float) -> None:
    args = ["sox", "-n", "-r", "16000", "-c", "1", str(path)]
    hits = int(seconds / beat)
    for index in range(hits):
        if index:
            args.append(":")
        args += [
            "synth",
            str(beat),
            "whitenoise",
            "fade",
            "q",
            "0.002",
            str(beat),
            str(beat - 0.01),
            "gain",
            "-8",
        ]
    _run(args)


def _mix(out: Path, *inputs: Path) -> None:
    _run(["sox", "-m", *map(str, inputs), str(out), "trim", "0", "12"])


def music(dest: Path) -> list[Clip]:
    clips = []
    beat = dest / "beat.wav"
    _percussion(beat, 12, 0.25)
    noise = dest / "noise.wav"
    _run(
        [
            "sox",
            "-n",
            "-r",
            "16000",
            "-c",
            "1",
            str(noise),
            "synth",
            "12",
            "pinknoise",
            "gain",
            "-24",
        ]
    )
    for name, chords in CHORDS.items():
        for voice in ("sine", "pluck"):
            base = dest / f"music-chords-{name}-{voice}.wav"
            _chords(base, chords, voice, 1.5)
            clips.append(Clip(base, "music"))
        with_beat = dest / f"music-chords-{name}-beat.wav"
        _mix(with_beat, dest / f"music-chords-{name}-sine.wav", beat)
        clips.append(Clip(with_beat, "music"))
        with_noise = dest / f"music-chords-{name}-noise.wav"
        _mix(with_noise, dest / f"music-chords-{name}-pluck.wav", noise)
        clips.append(Clip(with_noise, "music"))
    for name, notes in MELODIES.items():
        for voice in ("sine", "square"):
            path = dest / f"music-melody-{name}-{voice}.wav"
            _melody(path, notes, voice, 0.4)
            clips.append(Clip(path, "music"))
        with_beat = dest / f"music-melody-{name}-beat.wav"
        _mix(with_beat, dest / f"music-melody-{name}-square.wav", beat)
        clips.append(Clip(with_beat, "music"))
    return clips


def noisy_speech(dest: Path, clips: list[Clip]) -> list[Clip]:
    """The first take of each sentence with pink noise under it (a noisy line)."""
    noise = dest / "noise.wav"  # made by ``music``
    noisy = []
    for clip in clips:
        if not clip.path.name.endswith("-0.wav"):
            continue
        resampled = dest / f"16k-{clip.path.name}"
        _run(["sox", str(clip.path), "-r", "16000", str(resampled)])
        out = dest / f"speech-noisy-{clip.path.name.removeprefix('speech-')}"
        _run(["sox", "-m", str(resampled), str(noise), str(out), "trim", "0", "5"])
        noisy.append(Clip(out, "speech"))
    return noisy


def ambient(dest: Path) -> list[Clip]:
    """A slow pad with long fades: many quiet frames, like pauses in speech."""
    path = dest / "music-ambient.wav"
    args = ["sox", "-n", "-r", "16000", "-c", "1", str(path)]
    for index, note in enumerate(["C4", "A3", "F3", "G3"] * 2):
        if index:
            args.append(":")
        args += ["synth", "2", "sine", note, "sine", "E4", "fade", "q", "0.8", "2", "0.8"]
    _run(args)
    return [Clip(path, "music")]


def build(dest: Path) -> list[Clip]:
    """Generate the whole set into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    spoken = speech(dest)
    played = music(dest)
    return spoken + noisy_speech(dest, spoken) + played + ambient(dest)


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from tests.audio.music_eval import confusion, evaluate

    with tempfile.TemporaryDirectory() as tmp:
        results = evaluate(build(Path(tmp)), Path(tmp) / "rendered")
        for clip, estimate in results:
            print(f"{clip.truth:6} → {estimate.label:6}  {estimate}  {clip.path.name}")
        print(confusion(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
