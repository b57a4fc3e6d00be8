"""Cheap completeness checks on container bytes, for formats where ffprobe cannot tell.

ffprobe computes a cut-off WAV's duration from the file size and a cut-off Ogg's
from its last page, so neither looks truncated to it. The RIFF header and the Ogg
end-of-stream flag say what the writer meant; reading them costs a few kilobytes.
"""

from __future__ import annotations

import struct
from pathlib import Path

__all__ = ["ogg_complete", "wav_complete"]

_OGG_TAIL_BYTES = 64 * 1024
_OGG_EOS_FLAG = 0x04
_RIFF_STREAMING_SIZES = {0, 0xFFFFFFFF}  # writers that did not know the size yet


def wav_complete(path: Path) -> bool:
    """False when the RIFF 'data' chunk claims more bytes than the file holds."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        header = fh.read(12)
        if len(header) < 12 or header[:4] != b"RIFF" or header[8:12] != b"WAVE":
            return True  # RF64/other variants: leave it to ffmpeg
        offset = 12
        while offset + 8 <= size:
            fh.seek(offset)
            chunk_id, chunk_size = struct.unpack("<4sI", fh.read(8))
            if chunk_id == b"data":
                if chunk_size in _RIFF_STREAMING_SIZES:
                    return True
                return offset + 8 + chunk_size <= size
            offset += 8 + chunk_size + (chunk_size & 1)
    return False  # no data chunk before the end: cut off inside the header


def ogg_complete(path: Path) -> bool:
    """False when the last Ogg page lacks the end-of-stream flag (the file was cut)."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        fh.seek(max(0, size - _OGG_TAIL_BYTES))
        tail = fh.read()
    last = tail.rfind(b"OggS")
    if last < 0 or last + 6 > len(tail):
        return False
    return bool(tail[last + 5] & _OGG_EOS_FLAG)
