"""The web editor: its JSON helpers (node types, live validation, simulation) and the
built single-page app served at /editor/."""

from __future__ import annotations

from flask import Flask

from ivr_designer.editor import spa


def init_app(app: Flask) -> None:
    spa.init_app(app)


__all__ = ["init_app"]
