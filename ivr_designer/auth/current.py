"""Who is calling: a session cookie or a bearer token, resolved once per request.

The same hook scopes the database session to the caller's organisation (see
``ivr_designer.tenancy``) and enforces CSRF for cookie-authenticated writes.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from flask import Flask, current_app, g, request, session
from sqlalchemy import select
from werkzeug.middleware.proxy_fix import ProxyFix

from ivr_designer import tenancy
from ivr_designer.actor import Actor
from ivr_designer.auth.api_tokens import digest
from ivr_designer.auth.passwords import make_hasher
from ivr_designer.errors import Unauthorized
from ivr_designer.extensions import csrf, db
from ivr_designer.models import ApiToken, User
from ivr_designer.models.base import utcnow

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
# Writing last_used_at on every call would turn each GET into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)
HASHER_EXTENSION = "ivr_designer.password_hasher"
WEBHOOK_PREFIX = "/hooks/"


def session_stamp(user: User) -> str:
    """Changes when the password changes, which signs out every other session."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def sign_in(user: User) -> None:
    session.clear()
    session["user_id"] = user.id
    session["stamp"] = session_stamp(user)
    session.permanent = True
    g.user = user
    g.via_token = False


def sign_out() -> None:
    session.clear()
    g.user = None


def current_user() -> User | None:
    user: User | None = g.get("user")
    return user


def current_actor() -> Actor:
    """The signed-in caller as an operations actor; 401 when nobody is signed in."""
    user = current_user()
    if user is None:
        raise Unauthorized("authentication required")
    return Actor(user=user, ip_address=request.remote_addr)


def _user_from_token(header: str, now: datetime) -> User:
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorized("the Authorization header must be 'Bearer <token>'")
    token = db.session.execute(
        select(ApiToken).where(ApiToken.token_hash == digest(secret.strip()))
    ).scalar_one_or_none()
    if token is None or not token.is_usable(now) or not token.user.active:
        raise Unauthorized("the API token is invalid, expired or revoked")
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        token.last_used_at = now
    return token.user


def _user_from_cookie() -> User | None:
    user_id = session.get("user_id")
    if user_id is None:
        return None
    user = db.session.execute(select(User).where(User.id == user_id)).scalar_one_or_none()
    if user is None or not user.active or session.get("stamp") != session_stamp(user):
        session.clear()
        return None
    return user


def load_caller() -> None:
    g.user = None
    g.via_token = False
    if request.path.startswith(WEBHOOK_PREFIX):
        # Providers authenticate by signature (and may send Basic credentials that
        # are not ours to judge); no user, no session.
        return
    header = request.headers.get("Authorization")
    if header:
        g.user = _user_from_token(header, utcnow())
        g.via_token = True
    else:
        g.user = _user_from_cookie()
    if g.user is not None:
        tenancy.scope_session(db.session, None if g.user.is_system_admin else g.user.org_id)


def check_csrf() -> None:
    """Cookie-authenticated writes need a CSRF token; bearer calls and hooks do not.

    Anonymous writes are left to the handlers, which answer 401.
    """
    if request.method in SAFE_METHODS or g.get("via_token") or g.get("user") is None:
        return
    if request.path.startswith(tuple(current_app.config["CSRF_EXEMPT_PATH_PREFIXES"])):
        return
    csrf.protect(apply_exemptions=True)


def init_app(app: Flask) -> None:
    if app.config["TRUSTED_PROXY_COUNT"]:
        hops = int(app.config["TRUSTED_PROXY_COUNT"])
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops
        )
    app.extensions[HASHER_EXTENSION] = make_hasher(app.config)
    csrf.init_app(app)
    app.before_request(load_caller)
    app.before_request(check_csrf)


def password_hasher() -> PasswordHasher:
    hasher: PasswordHasher = current_app.extensions[HASHER_EXTENSION]
    return hasher
