"""Loudness arithmetic and the decode pass's own guards."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from audio.errors import TooLong
from audio.ingest import ingest
from audio.limits import Limits
from audio.loudness import MAX_GAIN_DB, Loudness, gain_filters, parse_ebur128
from audio.probe import ProbeInfo, check
from audio.transcode import decode
from tests.audio.conftest import Media

SUMMARY = """
[Parsed_ebur128_0 @ 0x1] Summary:

  Integrated loudness:
    I:         -31.4 LUFS
    Threshold: -41.6 LUFS

  Loudness range:
    LRA:         5.2 LU

  Sample peak:
    Peak:       -9.7 dBFS
"""


def test_parse_ebur128_summary() -> None:
    assert parse_ebur128("noise\n" + SUMMARY) == Loudness(-31.4, -9.7)
    assert parse_ebur128("no summary here") is None
    silent = SUMMARY.replace("-31.4", "-70.0").replace("-9.7", "-inf")
    found = parse_ebur128(silent)
    assert found is not None
    assert found.silent
    assert found.gain() == 0.0


def test_gain_is_capped_and_limiter_only_when_needed() -> None:
    assert Loudness(-60, -40).gain() == MAX_GAIN_DB
    assert Loudness(-25, -12).gain() == pytest.approx(6.0)
    assert gain_filters(Loudness(-25, -12)) == ["volume=6.00dB"]
    peaky = gain_filters(Loudness(-30, -3))
    assert peaky[0] == "volume=11.00dB"
    assert peaky[1].startswith("alimiter=limit=0.8913")
    assert gain_filters(Loudness(-10, -0.1)) == ["volume=-9.00dB"]


def test_decode_stops_at_the_limit_when_the_header_is_silent(media: Media, tmp_path: Path) -> None:
    with pytest.raises(TooLong):
        decode(
            media.speech,
            tmp_path / "out.wav",
            channels=1,
            declared_seconds=-1,
            max_seconds=2,
            timeout=30,
        )


def test_unknown_duration_is_left_to_the_decode_cap() -> None:
    info = ProbeInfo("wav", "pcm_s16le", 8000, 1, -1.0, None, 1000)
    check(info, Limits(), music=False)  # no exception: decoding enforces the limit


def test_streamed_wav_with_unknown_sizes_is_accepted(media: Media, tmp_path: Path) -> None:
    data = bytearray(media.formats["wav"].read_bytes())
    data[4:8] = struct.pack("<I", 0xFFFFFFFF)
    index = data.index(b"data")
    data[index + 4 : index + 8] = struct.pack("<I", 0xFFFFFFFF)
    streamed = tmp_path / "streamed.wav"
    streamed.write_bytes(bytes(data))
    result = ingest(streamed, tmp_path / "out")
    assert result.duration > 5
