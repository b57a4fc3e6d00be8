"""The scale benchmark's flow builder makes clean flows of the requested size (no timing)."""

from __future__ import annotations

from collections import Counter
from types import ModuleType

import pytest

from flows.fileformat import dump_flow, load_flow
from flows.validation import validate
from tests.bench_modules import load_bench


def bench() -> ModuleType:
    return load_bench("validate_scale", "validate_scale")


def test_builder_makes_a_clean_realistic_flow() -> None:
    flow = bench().build_flow(200)
    assert len(flow.nodes) == 200
    types = Counter(node.type for node in flow.nodes.values())
    assert {"hours", "menu", "ring_group", "queue", "voicemail", "play", "hangup"} <= set(types)
    assert validate(flow) == []
    assert load_flow(dump_flow(flow)) == flow


def test_main_prints_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench().main(["--sizes", "20,100", "--repeat", "1", "--render-runs", "3"]) == 0
    out = capsys.readouterr().out
    assert "cold ms" in out
    assert "growth t(100)/t(20)" in out
