"""Load a script from ``bench/`` as a module, so tests can call its functions."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parents[1] / "bench"


def load_bench(script: str, module_name: str) -> ModuleType:
    """``bench/<script>.py`` as ``module_name`` (named apart from the app's modules)."""
    spec = importlib.util.spec_from_file_location(module_name, BENCH / f"{script}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(module_name, module)
    spec.loader.exec_module(module)
    return module
