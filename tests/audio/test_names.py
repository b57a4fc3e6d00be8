"""Display names: shown, never used as paths."""

from __future__ import annotations

import pytest

from audio.errors import BadFilename
from audio.names import MAX_NAME_LENGTH, safe_display_name


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("velkomst.mp3", "velkomst.mp3"),
        ("  Ventemusik jul 2026.flac ", "Ventemusik jul 2026.flac"),
        ("Lukket \u2013 påske.wav", "Lukket \u2013 påske.wav"),
        ("Cafe\u0301.ogg", "Café.ogg"),  # NFC
    ],
)
def test_good_names_are_kept(raw: str, shown: str) -> None:
    assert safe_display_name(raw) == shown


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "..",
        "../../etc/passwd",
        "sub/dir.mp3",
        "C:\\Users\\a.wav",
        "bell\x07.wav",
        "line\nbreak.mp3",
        "nul\x00.mp3",
        "invoice\u202egpj.mp3",  # right-to-left override hides the real extension
    ],
)
def test_bad_names_are_refused(raw: str) -> None:
    with pytest.raises(BadFilename) as caught:
        safe_display_name(raw)
    assert caught.value.code == "bad_filename"


def test_long_names_are_shortened_keeping_the_extension() -> None:
    shown = safe_display_name("a" * 500 + ".mp3")
    assert len(shown) <= MAX_NAME_LENGTH
    assert shown.endswith("….mp3")
    assert safe_display_name("b" * 500).endswith("…")
