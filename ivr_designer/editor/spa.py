"""/editor/: the built single-page editor (``make editor`` builds it into
``ivr_designer/static/editor``). Without a build, a page says how to make one."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, redirect, send_from_directory, url_for
from flask.typing import ResponseReturnValue

from ivr_designer.errors import NotFound

blp = Blueprint("editor_spa", __name__)

MISSING = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Editor not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto">
<h1>The flow editor has not been built</h1>
<p>Run <code>make run</code> (builds and serves) or <code>make editor</code>
(needs Node.js 20 and npm), then reload this page.</p>
<p>The JSON API is available at <a href="/api/openapi.json">/api/openapi.json</a>.</p>
</body></html>
"""


def build_folder() -> Path:
    configured = current_app.config.get("EDITOR_BUILD_FOLDER")
    if configured:
        return Path(configured)
    return Path(current_app.root_path) / "static" / "editor"


@blp.get("/")
def home() -> ResponseReturnValue:
    """The address `make run` prints: people arrive here first."""
    return redirect(url_for("editor_spa.index"))


@blp.get("/editor/")
def index() -> Response:
    """The app shell; it signs in through the JSON API itself."""
    folder = build_folder()
    if not (folder / "index.html").is_file():
        return Response(MISSING, status=200, mimetype="text/html")
    response = send_from_directory(folder, "index.html", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


@blp.get("/editor/assets/<path:filename>")
def asset(filename: str) -> Response:
    """Hashed build assets: cached for a year, since a new build renames them."""
    folder = build_folder() / "assets"
    if not (folder / filename).is_file():
        raise NotFound("no such editor asset; rebuild with make editor")
    return send_from_directory(folder, filename, max_age=31_536_000)


def init_app(app: Flask) -> None:
    app.register_blueprint(blp)
