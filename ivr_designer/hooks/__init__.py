"""Provider webhooks under ``/hooks/``: the call runtime (see DESIGN.md, Call runtime)."""

from __future__ import annotations

import os

from flask import Flask

from ivr_designer.calls.storage import app_provider_factory
from ivr_designer.hooks import views
from ivr_designer.hooks.lookup import VersionCache

DEFAULTS = {
    "TELEPHONY_PROVIDER": "rest",  # rest | null
    "TELEPHONY_TIMEOUT": 10.0,
    "TELEPHONY_MAX_MEDIA_BYTES": 50 * 1024 * 1024,
    "HOOKS_DEFAULT_LANGUAGE": "da",
    "HOOKS_FLOW_CACHE_SIZE": 256,
}


def init_app(app: Flask) -> None:
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, os.environ.get(key) or value)
    app.extensions[views.CACHE_EXTENSION] = VersionCache(int(app.config["HOOKS_FLOW_CACHE_SIZE"]))
    app.extensions[views.FACTORY_EXTENSION] = app_provider_factory(app)
    app.register_blueprint(views.blp)
