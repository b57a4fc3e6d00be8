"""Provider webhooks under ``/hooks/``: the call runtime (see DESIGN.md, Call runtime)."""

from __future__ import annotations

from flask import Flask

from ivr_designer.calls.storage import app_provider_factory
from ivr_designer.hooks import views
from ivr_designer.hooks.lookup import VersionCache
from ivr_designer.media.audio import AudioCache


def init_app(app: Flask) -> None:
    app.extensions[views.CACHE_EXTENSION] = VersionCache(int(app.config["HOOKS_FLOW_CACHE_SIZE"]))
    app.extensions[views.AUDIO_EXTENSION] = AudioCache()
    app.extensions[views.FACTORY_EXTENSION] = app_provider_factory(app)
    app.register_blueprint(views.blp)
