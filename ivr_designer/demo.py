"""The demo organisation and admin that ``ivr-designer run --demo`` provides.

Idempotent: the generated password is kept in the instance folder (mode 0600) and
printed on every start, so a fresh clone always shows a working login.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr_designer.actor import Actor
from ivr_designer.auth.passwords import verify_password
from ivr_designer.models import Role, User
from ivr_designer.orgs.operations import create_org, find_by_slug
from ivr_designer.users.operations import create_user, update_user

DEMO_ORG_NAME = "Demo ApS"
DEMO_ORG_SLUG = "demo"
DEMO_ADMIN_EMAIL = "admin@demo.example"
PASSWORD_FILE = "demo-admin-password.txt"  # noqa: S105 - a file name, not a secret


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str


def _remembered_password(path: Path) -> str | None:
    return path.read_text().strip() if path.exists() else None


def _remember_password(path: Path, password: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(password + "\n")


def ensure_demo(session: Session, hasher: PasswordHasher, instance_path: str) -> DemoLogin:
    """Create the demo org and admin if missing; return a login that works (flush only)."""
    actor = Actor(user=None)
    org = find_by_slug(session, DEMO_ORG_SLUG) or create_org(
        session, actor, name=DEMO_ORG_NAME, slug=DEMO_ORG_SLUG
    )
    path = Path(instance_path) / PASSWORD_FILE
    password = _remembered_password(path)
    admin = session.execute(select(User).where(User.email == DEMO_ADMIN_EMAIL)).scalar_one_or_none()
    if admin is None:
        password = password or secrets.token_urlsafe(12)
        create_user(
            session,
            actor,
            hasher,
            email=DEMO_ADMIN_EMAIL,
            name="Demo Admin",
            password=password,
            role=Role.ORG_ADMIN,
            org_id=org.id,
        )
    elif password is None or not verify_password(hasher, admin.password_hash, password):
        password = secrets.token_urlsafe(12)
        update_user(session, actor, hasher, admin.id, {"password": password, "active": True})
    _remember_password(path, password)
    return DemoLogin(email=DEMO_ADMIN_EMAIL, password=password)
