"""The JSON API: flask-smorest blueprints, OpenAPI at /api/openapi.json.

A fresh ``Api`` is made per app (it keeps per-app state); the blueprints are shared.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_smorest import Api
from werkzeug.exceptions import UnsupportedMediaType

from ivr_designer.audio_lib.api import agreements_blp as music_agreements_blp
from ivr_designer.audio_lib.api import blp as audio_blp
from ivr_designer.audit.api import blp as audit_blp
from ivr_designer.auth.api import blp as auth_blp
from ivr_designer.boxes.api import blp as boxes_blp
from ivr_designer.callflows.api import blp as flows_blp
from ivr_designer.calls.api import blp as calls_blp
from ivr_designer.editor.api import blp as editor_blp
from ivr_designer.inbox.api import blp as inbox_blp
from ivr_designer.numbers.api import blp as numbers_blp
from ivr_designer.orgs.api import blp as orgs_blp
from ivr_designer.outbox.api import blp as outbox_blp
from ivr_designer.retention.api import blp as retention_blp
from ivr_designer.schemas import ErrorSchema
from ivr_designer.telegram.api import blp as telegram_blp
from ivr_designer.tokens.api import blp as tokens_blp
from ivr_designer.users.api import blp as users_blp
from ivr_designer.webhooks.api import blp as webhooks_blp

BLUEPRINTS = (
    auth_blp,
    orgs_blp,
    users_blp,
    tokens_blp,
    audit_blp,
    calls_blp,
    flows_blp,
    audio_blp,
    music_agreements_blp,
    boxes_blp,
    numbers_blp,
    editor_blp,
    telegram_blp,
    inbox_blp,
    webhooks_blp,
    retention_blp,
    outbox_blp,
)


#: The only routes that take a multipart upload instead of JSON.
MULTIPART_PATHS = frozenset({"/api/audio"})


class IvrApi(Api):
    """Documents our error format instead of flask-smorest's default one."""

    ERROR_SCHEMA = ErrorSchema


def require_json_body() -> None:
    """Bodies under /api must be JSON; a form post cannot sneak in from another site."""
    if not request.path.startswith("/api/") or request.method not in ("POST", "PUT", "PATCH"):
        return
    if request.path in MULTIPART_PATHS and request.mimetype == "multipart/form-data":
        return  # uploads: the handler streams the file under its own size limit
    has_body = bool(request.content_length) or "chunked" in request.headers.get(
        "Transfer-Encoding", ""
    )
    if has_body and not request.is_json:
        raise UnsupportedMediaType("request bodies must be JSON (Content-Type: application/json)")


def harden_response(response: Response) -> Response:
    """API answers may carry secrets (new tokens) and are never for caches or sniffing."""
    if request.path.startswith("/api/"):
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


def init_app(app: Flask) -> None:
    api = IvrApi(app)
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    app.extensions["ivr_designer.api"] = api
    app.before_request(require_json_body)
    app.after_request(harden_response)
