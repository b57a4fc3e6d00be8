"""Display names of uploads: shown to admins, never used as a path."""

from __future__ import annotations

import unicodedata

from audio.errors import BadFilename

__all__ = ["MAX_NAME_LENGTH", "safe_display_name"]

MAX_NAME_LENGTH = 120
_FORBIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def safe_display_name(name: str, *, max_length: int = MAX_NAME_LENGTH) -> str:
    """The client's file name, checked for display.

    Stored files get random names, so this is about what admins see and what ends up
    in logs and Content-Disposition headers: path separators, control and format
    characters (including right-to-left overrides that disguise extensions) are
    refused rather than silently rewritten; long names are shortened, keeping the
    extension.

    >>> safe_display_name("  Velkomst - jul.mp3 ")
    'Velkomst - jul.mp3'
    """
    if not isinstance(name, str):
        raise BadFilename("The file name is missing.")
    text = unicodedata.normalize("NFC", name).strip()
    if not text or text in {".", ".."}:
        raise BadFilename("The file name is empty.")
    if "/" in text or "\\" in text:
        raise BadFilename("The file name must not contain '/' or '\\'.")
    if any(unicodedata.category(char) in _FORBIDDEN_CATEGORIES for char in text):
        raise BadFilename("The file name contains control characters.")
    if len(text) > max_length:
        stem, dot, ext = text.rpartition(".")
        if dot and 0 < len(ext) <= 8 and stem:
            text = stem[: max_length - len(ext) - 2] + "…." + ext
        else:
            text = text[: max_length - 1] + "…"
    return text
