"""An organisation with an admin acting through the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import simple_flow_document


@dataclass
class Admin:
    org: Any
    user: Any
    headers: dict[str, str]


@pytest.fixture
def admin(make_org, make_user, bearer) -> Admin:
    org = make_org(name="Alpha ApS", slug="alpha")
    user = make_user(org, role="org_admin")
    return Admin(org, user, bearer(user))


@pytest.fixture
def api(client, admin):
    """``api(method, path, json=...)`` as the org admin."""

    def call(method: str, path: str, **kwargs: Any):
        return client.open(path, method=method, headers=admin.headers, **kwargs)

    return call


def document(name: str, **kwargs: Any) -> dict[str, Any]:
    return simple_flow_document(name, **kwargs)
