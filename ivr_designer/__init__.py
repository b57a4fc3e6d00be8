"""ivr-designer web app: ``create_app`` builds it; nothing happens at import time."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from ivr_designer import api, editor, errors, health, hooks, inbox, media
from ivr_designer import config as settings
from ivr_designer.auth import current as auth
from ivr_designer.extensions import db


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build an app from the environment, the instance folder and ``config`` (tests).

    Touches no database: migrations and seeding are explicit commands.
    """
    app = Flask(__name__, instance_relative_config=True, instance_path=settings.instance_path())
    settings.load(app, config)
    db.init_app(app)
    auth.init_app(app)
    api.init_app(app)
    media.init_app(app)
    inbox.init_app(app)
    hooks.init_app(app)
    health.init_app(app)
    editor.init_app(app)
    errors.init_app(app)
    return app


__all__ = ["create_app"]
