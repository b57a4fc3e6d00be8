"""`ivr-designer flows ...`: validate, render, simulate, diff and format flow files."""

from __future__ import annotations

import click


@click.group("flows")
def flows_cli() -> None:
    """Work with flow files (no database needed)."""
