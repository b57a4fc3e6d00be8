"""The docstring examples of the validation rules and the diff are true."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "flows.validation.graph",
    "flows.validation.structure",
    "flows.validation.reachability",
    "flows.validation.loops",
    "flows.validation.references",
    "flows.validation.subflows",
    "flows.diff",
    "flows.nodes._fastload",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0
