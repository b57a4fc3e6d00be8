"""Access rows for the voicemail and fax inbox and the signed media links.

Each org gets, in the box its listener hears (the staff caller for "own", the foreign
victim for "foreign"), an open item, one its listener has claimed and one they have
handled, of both kinds. Staff and org admins reach only their own org's items (404
otherwise); system admins reach both. Claim, unclaim, handled, reopen and delete are
audited; heard is personal and is not. A signed link works for anyone.
"""

from __future__ import annotations

import time
from typing import Any

from ivr_designer.inbox.media import derive_link_key, make_token
from ivr_designer.models import Organisation
from ivr_designer.models.base import utcnow
from tests.ivr_designer.access_rows import Endpoint, World, _all, _expect

LISTENERS = _expect(401, (200, 404), (200, 404), (200, 200))
LISTENERS_NO_CONTENT = _expect(401, (204, 404), (204, 404), (204, 204))
TEST_SECRET_KEY = "test-secret-key"  # tests/conftest.py app_config


def _listener(world: World, target: str) -> Any:
    return world.callers["staff"] if target == "own" else world.victims["foreign"]


def seed(org: Organisation, target: str, world: World, request: Any) -> dict[str, Any]:
    make_voicemail = request.getfixturevalue("make_voicemail")
    make_fax = request.getfixturevalue("make_fax")
    listener = _listener(world, target)
    now = utcnow()
    claimed = {"claimed_by_id": listener.id, "claimed_at": now}
    handled = {**claimed, "handled_by_id": listener.id, "handled_at": now}
    vm_box, fax_box = world.things[target]["vm_box"], world.things[target]["fax_box"]
    return {
        "inbox_voicemail": make_voicemail(vm_box),
        "inbox_voicemail_claimed": make_voicemail(vm_box, **claimed),
        "inbox_voicemail_handled": make_voicemail(vm_box, **handled),
        "inbox_fax": make_fax(fax_box),
        "inbox_fax_claimed": make_fax(fax_box, **claimed),
        "inbox_fax_handled": make_fax(fax_box, **handled),
    }


def _item(collection: str, thing: str, suffix: str = "") -> Any:
    return lambda w, t: f"/api/{collection}/{w.things[t][thing].id}{suffix}"


def _signed(kind: str, thing: str) -> Any:
    key = derive_link_key(TEST_SECRET_KEY)

    def path(w: World, t: str) -> str:
        token = make_token(key, kind, w.things[t][thing].id, int(time.time()) + 600)
        return f"/media/signed/{token}"

    return path


def _rows(collection: str, kind: str) -> dict[str, Endpoint]:
    base = f"/api/{collection}"
    item = f"{base}/<int:item_id>"
    open_item, claimed, handled = f"inbox_{kind}", f"inbox_{kind}_claimed", f"inbox_{kind}_handled"
    return {
        f"inbox-{kind}-list": Endpoint(
            "GET",
            base,
            lambda w, t: f"{base}?org_id={w.orgs[t].id}",
            _expect(401, (200, 200), (200, 200), (200, 200)),
        ),
        f"inbox-{kind}-read": Endpoint("GET", item, _item(collection, open_item), LISTENERS),
        f"inbox-{kind}-delete": Endpoint(
            "DELETE", item, _item(collection, open_item), LISTENERS_NO_CONTENT, writes=True
        ),
        f"inbox-{kind}-claim": Endpoint(
            "POST",
            f"{item}/claim",
            _item(collection, open_item, "/claim"),
            LISTENERS,
            writes=True,
        ),
        f"inbox-{kind}-unclaim": Endpoint(
            "POST",
            f"{item}/unclaim",
            _item(collection, claimed, "/unclaim"),
            LISTENERS,
            writes=True,
        ),
        f"inbox-{kind}-handled": Endpoint(
            "POST",
            f"{item}/handled",
            _item(collection, open_item, "/handled"),
            LISTENERS,
            writes=True,
        ),
        f"inbox-{kind}-reopen": Endpoint(
            "POST",
            f"{item}/reopen",
            _item(collection, handled, "/reopen"),
            LISTENERS,
            writes=True,
        ),
        # Personal, not audited: not a "write" in the matrix's sense.
        f"inbox-{kind}-heard": Endpoint(
            "POST", f"{item}/heard", _item(collection, open_item, "/heard"), LISTENERS
        ),
    }


ENDPOINTS: dict[str, Endpoint] = {
    **_rows("voicemails", "voicemail"),
    **_rows("faxes", "fax"),
    "inbox-voicemail-audio": Endpoint(
        "GET",
        "/api/voicemails/<int:item_id>/audio",
        _item("voicemails", "inbox_voicemail", "/audio"),
        LISTENERS,
    ),
    "inbox-voicemail-download": Endpoint(
        "GET",
        "/api/voicemails/<int:item_id>/download",
        _item("voicemails", "inbox_voicemail", "/download"),
        LISTENERS,
    ),
    "inbox-fax-document": Endpoint(
        "GET",
        "/api/faxes/<int:item_id>/document",
        _item("faxes", "inbox_fax", "/document"),
        LISTENERS,
    ),
    # Anyone holding a valid link gets the media, whatever org they are signed in to.
    "inbox-signed-media": Endpoint(
        "GET", "/media/signed/<token>", _signed("voicemail", "inbox_voicemail"), _all(200)
    ),
    "inbox-signed-forged": Endpoint(
        "GET", "/media/signed/<token>", lambda w, t: "/media/signed/v.1.1.forged", _all(404)
    ),
}
