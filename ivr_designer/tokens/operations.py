"""Creating, listing and revoking one's own API tokens.

A token acts with its owner's rights, so only the owner sees or revokes it. The
secret is returned once, at creation, and never stored.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr_designer.actor import Actor
from ivr_designer.audit.record import record, snapshot
from ivr_designer.auth.api_tokens import new_secret
from ivr_designer.errors import NotFound, Unauthorized
from ivr_designer.models import ApiToken


def _owner_id(actor: Actor) -> int:
    if actor.user_id is None:
        raise Unauthorized("API tokens belong to a user")
    return actor.user_id


def list_tokens(session: Session, actor: Actor) -> list[ApiToken]:
    query = select(ApiToken).where(ApiToken.user_id == _owner_id(actor)).order_by(ApiToken.id)
    return list(session.execute(query).scalars())


def create_token(
    session: Session,
    actor: Actor,
    *,
    name: str,
    now: datetime,
    expires_in_days: int | None = None,
) -> tuple[ApiToken, str]:
    """Return the new token and its secret (shown to the user once)."""
    secret = new_secret()
    token = ApiToken(
        user_id=_owner_id(actor),
        name=name,
        prefix=secret.prefix,
        token_hash=secret.digest,
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    session.add(token)
    session.flush()
    record(session, actor, "create", token, after=snapshot(token), org_id=actor.org_id)
    return token, secret.secret


def revoke_token(session: Session, actor: Actor, token_id: int, *, now: datetime) -> ApiToken:
    token = session.execute(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == _owner_id(actor))
    ).scalar_one_or_none()
    if token is None:
        raise NotFound("token not found")
    if token.revoked_at is None:
        before = snapshot(token)
        token.revoked_at = now
        session.flush()
        record(
            session,
            actor,
            "revoke",
            token,
            before={"revoked_at": before["revoked_at"]},
            after={"revoked_at": now.isoformat()},
            org_id=actor.org_id,
        )
    return token
