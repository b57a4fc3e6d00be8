"""Access rows for /api/retention: org admins of the org and system admins only."""

from __future__ import annotations

from tests.ivr_designer.access_rows import Endpoint, _expect

ADMINS_ONLY = _expect(401, (403, 403), (200, 404), (200, 200))

ENDPOINTS = {
    "retention-read": Endpoint(
        "GET",
        "/api/retention",
        lambda w, t: f"/api/retention?org_id={w.orgs[t].id}",
        ADMINS_ONLY,
    ),
    "retention-update": Endpoint(
        "PUT",
        "/api/retention",
        lambda w, t: f"/api/retention?org_id={w.orgs[t].id}",
        ADMINS_ONLY,
        body=lambda w, t: {"voicemail": 45},
        writes=True,
    ),
}
