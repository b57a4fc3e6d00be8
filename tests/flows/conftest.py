from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from flows.fileformat import load_flow
from flows.model import Flow

EXAMPLES = Path(__file__).resolve().parents[2] / "flows" / "examples"


@pytest.fixture
def example() -> Callable[[str], Flow]:
    """Load one of the shipped example flows by name."""

    def load(name: str) -> Flow:
        return load_flow(EXAMPLES / f"{name}.json")

    return load
