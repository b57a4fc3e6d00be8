"""Managing provider accounts; the auth token is write-only.

The token is encrypted before it reaches the session (``encrypt`` is passed in, so
this module needs no app), never returned, and audited only as "[redacted]".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr_designer.actor import Actor
from ivr_designer.audit.record import REDACTED, changed_only, record, snapshot
from ivr_designer.callflows.access import list_filter, load, require_admin, target_org
from ivr_designer.errors import Conflict
from ivr_designer.models import PhoneNumber, ProviderAccount

Encrypt = Callable[[str], str]
WHAT = "provider accounts"
EDITABLE = ("provider", "label", "account_sid", "api_base_url")


def account_snapshot(account: ProviderAccount) -> dict[str, Any]:
    """Audit view: the ciphertext is left out too (it is still the secret, encrypted)."""
    values = snapshot(account)
    values.pop("auth_token_encrypted", None)
    return values


def list_accounts(
    session: Session, actor: Actor, *, org_id: int | None = None
) -> list[ProviderAccount]:
    require_admin(actor, WHAT)
    query = select(ProviderAccount).order_by(ProviderAccount.org_id, ProviderAccount.id)
    org = list_filter(actor, org_id)
    if org is not None:
        query = query.where(ProviderAccount.org_id == org)
    return list(session.execute(query).scalars())


def get_account(session: Session, actor: Actor, account_id: int) -> ProviderAccount:
    require_admin(actor, WHAT)
    return load(session, ProviderAccount, account_id, "provider account")


def create_account(
    session: Session,
    actor: Actor,
    encrypt: Encrypt,
    *,
    provider: str,
    account_sid: str,
    auth_token: str,
    label: str = "",
    api_base_url: str | None = None,
    org_id: int | None = None,
) -> ProviderAccount:
    require_admin(actor, WHAT)
    account = ProviderAccount(
        org_id=target_org(session, actor, org_id),
        provider=provider,
        account_sid=account_sid,
        auth_token_encrypted=encrypt(auth_token),
        label=label,
        api_base_url=api_base_url,
    )
    session.add(account)
    session.flush()
    record(
        session,
        actor,
        "create",
        account,
        after={**account_snapshot(account), "auth_token": REDACTED},
    )
    return account


def update_account(
    session: Session, actor: Actor, encrypt: Encrypt, account_id: int, changes: dict[str, Any]
) -> ProviderAccount:
    account = get_account(session, actor, account_id)
    before = account_snapshot(account)
    auth_token = changes.pop("auth_token", None)
    for field, value in changes.items():
        if field not in EDITABLE:
            raise ValueError(f"not an editable provider account field: {field}")
        setattr(account, field, value)
    if auth_token is not None:
        account.auth_token_encrypted = encrypt(auth_token)
    session.flush()
    old, new = changed_only(before, account_snapshot(account))
    if auth_token is not None:
        old["auth_token"] = new["auth_token"] = REDACTED
    if new:
        record(session, actor, "update", account, before=old, after=new)
    return account


def delete_account(session: Session, actor: Actor, account_id: int) -> None:
    account = get_account(session, actor, account_id)
    numbers = list(
        session.execute(
            select(PhoneNumber.e164)
            .where(PhoneNumber.provider_account_id == account.id)
            .order_by(PhoneNumber.e164)
        ).scalars()
    )
    if numbers:
        raise Conflict(
            f"{', '.join(numbers)} use this account; move or delete them first",
            {"numbers": numbers},
        )
    record(session, actor, "delete", account, before=account_snapshot(account))
    session.delete(account)
    session.flush()
