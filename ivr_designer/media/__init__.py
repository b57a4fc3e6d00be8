"""Media the outside world may fetch: signed, expiring audio URLs for the provider."""

from __future__ import annotations

from flask import Flask

from ivr_designer.media import views
from ivr_designer.media.signing import derive_key


def init_app(app: Flask) -> None:
    app.extensions[views.KEY_EXTENSION] = derive_key(app.config["SECRET_KEY"])
    app.register_blueprint(views.blp)
