"""Access rows for simulating a call to a number: administrators of its org only."""

from __future__ import annotations

from tests.ivr_designer.access_rows import Endpoint, _expect

ENDPOINTS = {
    "number-simulate": Endpoint(
        "POST",
        "/api/numbers/<int:number_id>/simulate",
        lambda w, t: f"/api/numbers/{w.things[t]['number'].id}/simulate",
        _expect(401, (403, 403), (200, 404), (200, 200)),
        body=lambda w, t: {"at": "2026-03-03T10:00:00"},
    ),
}
