"""/api/voicemails and /api/faxes: the group inbox.

Both collections have the same routes, made by one function per kind; the media
routes differ (a voicemail has ``audio`` and ``download``, a fax its ``document``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Response, current_app, send_file
from flask_smorest import Blueprint
from marshmallow import Schema

from ivr_designer.auth.current import current_actor
from ivr_designer.extensions import db
from ivr_designer.inbox import operations
from ivr_designer.inbox.kinds import FAX, VOICEMAIL, Item, ItemKind
from ivr_designer.inbox.media import media_file
from ivr_designer.inbox.queries import InboxFilter, InboxItem, list_items, load_item, views
from ivr_designer.inbox.schemas import (
    DEFAULT_PER_PAGE,
    ClaimSchema,
    FaxSchema,
    InboxQuerySchema,
    VoicemailSchema,
)

blp = Blueprint(
    "inbox", __name__, url_prefix="/api", description="Voicemail and fax inbox of the boxes."
)


def _media_root() -> Path:
    return Path(current_app.config["MEDIA_FOLDER"])


def _view(kind: ItemKind, item: Item) -> InboxItem:
    return views(db.session, current_actor(), kind, [item])[0]


def _send(link_kind: str, item: Item, *, attachment: bool) -> Response:
    found = media_file(db.session, link_kind, item, _media_root())
    return send_file(
        found.path,
        mimetype=found.mimetype,
        as_attachment=attachment,
        download_name=found.download_name,
        conditional=True,
        max_age=0,
    )


def pagination_header(page: int, per_page: int, total: int) -> str:
    """The same X-Pagination header as flask-smorest's paginated lists."""
    pages = max(1, -(-total // per_page))
    info: dict[str, int] = {"total": total, "total_pages": pages, "page": page}
    info |= {"first_page": 1, "last_page": pages}
    if page > 1:
        info["previous_page"] = min(page - 1, pages)
    if page < pages:
        info["next_page"] = page + 1
    return json.dumps(info)


Action = Callable[..., Item]


def _route(
    view: Callable[..., Any], doc: str, rule: str, method: str, endpoint: str, *wrappers: Any
) -> None:
    """Register ``view`` under ``endpoint`` with its docstring set before smorest reads it."""
    view.__doc__ = doc
    view.__name__ = endpoint
    for wrapper in reversed(wrappers):
        view = wrapper(view)
    blp.route(rule, methods=[method], endpoint=endpoint)(view)


def _register(kind: ItemKind, path: str, schema: type[Schema]) -> None:
    name = kind.name
    item_rule = f"{path}/<int:item_id>"

    def listing(query: dict[str, Any]) -> Any:
        page = query.pop("page")
        per_page = query.pop("per_page") or query.pop("page_size") or DEFAULT_PER_PAGE
        query.pop("page_size", None)
        items, total = list_items(
            db.session,
            current_actor(),
            kind,
            InboxFilter(**query),
            offset=(page - 1) * per_page,
            limit=per_page,
        )
        return items, {"X-Pagination": pagination_header(page, per_page, total)}

    _route(
        listing,
        f"The {name}s of the boxes you listen to (admins: the org's), newest first.\n\n"
        "Filter by box, state (open, claimed, handled, all) and your ``heard``; ``page`` "
        "and ``per_page`` (default 50, at most 200) pick the page; X-Pagination has totals.",
        path,
        "GET",
        f"{name}_list",
        blp.arguments(InboxQuerySchema, location="query"),
        blp.response(
            200, schema(many=True), headers={"X-Pagination": {"schema": {"type": "string"}}}
        ),
    )

    def read(item_id: int) -> InboxItem:
        return _view(kind, load_item(db.session, current_actor(), kind, item_id))

    _route(
        read,
        f"One {name} with its shared claim/handled state and your own 'heard'.",
        item_rule,
        "GET",
        f"{name}_read",
        blp.response(200, schema),
    )

    def remove(item_id: int) -> None:
        operations.delete_item(db.session, current_actor(), name, item_id, _media_root())

    _route(
        remove,
        f"Delete the {name} and its files for good (audited).",
        item_rule,
        "DELETE",
        f"{name}_delete",
        blp.response(204),
    )

    def claim(data: dict[str, Any] | None, item_id: int) -> InboxItem:
        take_over = bool((data or {}).get("take_over", False))
        item = operations.claim(db.session, current_actor(), name, item_id, take_over=take_over)
        return _view(kind, item)

    _route(
        claim,
        'Claim it ("I\'m handling it").\n\n409 names the holder when someone else has '
        'it; administrators may send {"take_over": true}.',
        f"{item_rule}/claim",
        "POST",
        f"{name}_claim",
        blp.arguments(ClaimSchema, required=False),
        blp.response(200, schema),
    )

    simple: dict[str, tuple[Action, str]] = {
        "unclaim": (operations.unclaim, "Give it back to the group (the holder or an admin)."),
        "handled": (operations.mark_handled, "Done; claims it for you if nobody had it."),
        "reopen": (operations.reopen, "Not done after all: open again."),
        "heard": (operations.mark_heard, "You have heard/read it (only you see this)."),
    }
    for action, (operation, doc) in simple.items():

        def act(item_id: int, operation: Action = operation) -> InboxItem:
            return _view(kind, operation(db.session, current_actor(), name, item_id))

        _route(
            act,
            doc,
            f"{item_rule}/{action}",
            "POST",
            f"{name}_{action}",
            blp.response(200, schema),
        )


_register(VOICEMAIL, "/voicemails", VoicemailSchema)
_register(FAX, "/faxes", FaxSchema)


@blp.route("/voicemails/<int:item_id>/audio", methods=["GET"])
@blp.response(200, content_type="audio/ogg", description="OGG/Opus; Range requests work.")
def voicemail_audio(item_id: int) -> Response:
    """The recording as OGG/Opus for the browser's player (made on first play).

    409 while the recording is still being fetched from the provider.
    """
    item = load_item(db.session, current_actor(), VOICEMAIL, item_id)
    return _send("voicemail_opus", item, attachment=False)


@blp.route("/voicemails/<int:item_id>/download", methods=["GET"])
@blp.response(200, content_type="audio/wav", description="The original recording.")
def voicemail_download(item_id: int) -> Response:
    """The original WAV as an attachment."""
    item = load_item(db.session, current_actor(), VOICEMAIL, item_id)
    return _send("voicemail", item, attachment=True)


@blp.route("/faxes/<int:item_id>/document", methods=["GET"])
@blp.response(200, content_type="application/pdf", description="The received fax.")
def fax_document(item_id: int) -> Response:
    """The fax as PDF (shown inline; the file name suits a download)."""
    item = load_item(db.session, current_actor(), FAX, item_id)
    return _send("fax", item, attachment=False)
