"""GET /api/node-types in the editor's language: ?lang=, else Accept-Language."""

from __future__ import annotations

import pytest

from flows.registry import describe


@pytest.fixture
def headers(make_org, make_user, sign_in) -> dict[str, str]:
    org = make_org(name="Sprog ApS", slug="sprog")
    return sign_in(make_user(org, role="org_admin"))


def _labels(body: list[dict[str, object]]) -> dict[object, object]:
    return {t["type"]: t["label"] for t in body}


def test_lang_query_gives_danish(client, headers) -> None:
    response = client.get("/api/node-types?lang=da")
    assert response.status_code == 200
    assert response.json == describe("da")
    assert _labels(response.json)["transfer"] == "Viderestil"
    assert {t["category_label"] for t in response.json} >= {"Personer", "Afslutninger"}


def test_accept_language_is_the_default_and_the_query_wins(client, headers) -> None:
    danish = client.get("/api/node-types", headers={"Accept-Language": "da-DK,da;q=0.9,en;q=0.5"})
    assert _labels(danish.json)["voicemail"] == "Telefonsvarer"
    english = client.get("/api/node-types?lang=en", headers={"Accept-Language": "da"})
    assert english.json == describe("en")
    other = client.get("/api/node-types", headers={"Accept-Language": "fr"})
    assert _labels(other.json)["voicemail"] == "Voicemail"


def test_an_unknown_language_is_refused(client, headers) -> None:
    assert client.get("/api/node-types?lang=xx").status_code == 422
