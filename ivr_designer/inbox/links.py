"""``GET /media/signed/<token>``: an item's media for whoever holds a valid link.

Webhook receivers and similar get these instead of the file itself. No session is
needed or used: the item is looked up across orgs (a signed-in browser of another
org must not turn a valid link into "not found"). Forged or malformed → 404, expired
→ 410, media not there yet → 409, always as JSON.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, current_app, send_file
from sqlalchemy import select

from ivr_designer.errors import DomainError, error_response
from ivr_designer.extensions import db
from ivr_designer.inbox.kinds import FAX, VOICEMAIL
from ivr_designer.inbox.media import (
    LinkExpired,
    LinkInvalid,
    derive_link_key,
    media_file,
    read_token,
)

blp = Blueprint("inbox_links", __name__, url_prefix="/media/signed")
KEY_EXTENSION = "ivr_designer.inbox.link_key"


@blp.get("/<token>")
def signed_media(token: str) -> Response | tuple[Response, int]:
    key: bytes = current_app.extensions[KEY_EXTENSION]
    try:
        link = read_token(key, token, int(time.time()))
    except LinkInvalid:
        return error_response(404, "no such media link")
    except LinkExpired:
        return error_response(410, "this media link has expired")
    model = FAX.model if link.kind == "fax" else VOICEMAIL.model
    item: Any = db.session.execute(
        select(model).where(model.id == link.item_id).execution_options(skip_tenant_scope=True)
    ).scalar_one_or_none()
    if item is None:
        return error_response(404, "no such media link")
    try:
        found = media_file(db.session, link.kind, item, Path(current_app.config["MEDIA_FOLDER"]))
    except DomainError as error:
        return error_response(error.status, error.message, error.fields)
    response = send_file(
        found.path,
        mimetype=found.mimetype,
        download_name=found.download_name,
        conditional=True,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def init_app(app: Flask) -> None:
    app.extensions[KEY_EXTENSION] = derive_link_key(app.config["SECRET_KEY"])
    app.register_blueprint(blp)
