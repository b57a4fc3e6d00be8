"""POST /api/auth/login, POST /api/auth/logout, GET /api/auth/csrf, GET /api/me."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, request
from flask_smorest import Blueprint
from flask_wtf.csrf import generate_csrf

from ivr_designer import tenancy
from ivr_designer.auth import operations
from ivr_designer.auth.current import current_actor, password_hasher, sign_in, sign_out
from ivr_designer.auth.schemas import CsrfSchema, LoginSchema, MeSchema
from ivr_designer.auth.throttle import ThrottlePolicy
from ivr_designer.extensions import csrf, db
from ivr_designer.models import User
from ivr_designer.models.base import utcnow
from ivr_designer.users.schemas import UserSchema

blp = Blueprint("auth", __name__, url_prefix="/api", description="Signing in and out.")


def _me(user: User) -> dict[str, Any]:
    data = {name: getattr(user, name) for name in UserSchema().fields}
    data["org"] = user.org
    data["csrf_token"] = None if g.get("via_token") else generate_csrf()
    return data


@blp.route("/auth/login", methods=["POST"])
@blp.arguments(LoginSchema)
@blp.response(200, MeSchema)
def login(credentials: dict[str, str]) -> dict[str, Any]:
    """Sign in with email and password; sets the session cookie."""
    tenancy.scope_session(db.session, None)
    try:
        user = operations.login(
            db.session,
            password_hasher(),
            ThrottlePolicy.from_config(current_app.config),
            email=credentials["email"],
            password=credentials["password"],
            ip_address=request.remote_addr or "unknown",
            now=utcnow(),
        )
    except operations.LoginRefused:
        db.session.commit()  # the failed attempt must count although we answer 401
        raise
    sign_in(user)
    tenancy.scope_session(db.session, None if user.is_system_admin else user.org_id)
    return _me(user)


# No session exists yet to bind a CSRF token to; the JSON-only body is the defence.
csrf.exempt(login)


@blp.route("/auth/logout", methods=["POST"])
@blp.response(204)
def logout() -> None:
    """End the session (a no-op when not signed in)."""
    sign_out()


@blp.route("/auth/csrf", methods=["GET"])
@blp.response(200, CsrfSchema)
def csrf_token() -> dict[str, str]:
    """A CSRF token for cookie-authenticated writes (header X-CSRFToken)."""
    return {"csrf_token": generate_csrf()}


@blp.route("/me", methods=["GET"])
@blp.response(200, MeSchema)
def me() -> dict[str, Any]:
    """The signed-in user and their organisation."""
    user = current_actor().user
    assert user is not None
    return _me(user)
