"""Two organisations; the tests act as Alpha's admin."""

from __future__ import annotations

import pytest


@pytest.fixture
def alpha(make_org):
    return make_org(name="Alpha ApS", slug="alpha")


@pytest.fixture
def bravo(make_org):
    return make_org(name="Bravo ApS", slug="bravo")


@pytest.fixture
def headers(alpha, make_user, bearer):
    return bearer(make_user(alpha, role="org_admin"))
