"""``/media/audio/<org>/<key>``: the only media reachable without a session.

Served only with a valid, unexpired signature; voicemails and faxes have no public
route at all.
"""

from __future__ import annotations

import time
from pathlib import Path

from flask import Blueprint, Response, current_app, request, send_file

from ivr_designer.errors import error_response
from ivr_designer.extensions import db
from ivr_designer.media.audio import find_audio_file, inside
from ivr_designer.media.signing import verify_audio

blp = Blueprint("media", __name__, url_prefix="/media")
KEY_EXTENSION = "ivr_designer.media_key"


def derived_key() -> bytes:
    key: bytes = current_app.extensions[KEY_EXTENSION]
    return key


@blp.get("/audio/<int:org_id>/<key>")
def audio(org_id: int, key: str) -> Response | tuple[Response, int]:
    args = request.args
    if not verify_audio(
        derived_key(), org_id, key, args.get("exp"), args.get("sig"), int(time.time())
    ):
        return error_response(403, "invalid or expired media signature")
    root = Path(current_app.config["MEDIA_FOLDER"])
    found = find_audio_file(db.session, org_id, key, root)
    path = inside(root, found) if found is not None else None
    if path is None:
        return error_response(404, "no such audio")
    response = send_file(path, conditional=True, max_age=3600)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
