"""Managing users within the rules of the three roles.

- system admin: any user of any organisation, any role;
- org admin: users of their own organisation, roles org_admin and staff only;
- staff: may only read themselves.
The tenant filter already hides other organisations' users; these functions add the
role rules on top.
"""

from __future__ import annotations

from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ivr_designer.actor import Actor
from ivr_designer.audit.record import REDACTED, changed_only, record, snapshot
from ivr_designer.auth.operations import normalise_email
from ivr_designer.auth.passwords import hash_password, policy_problems
from ivr_designer.errors import Conflict, Forbidden, Invalid, NotFound
from ivr_designer.models import Organisation, Role, User
from ivr_designer.models.organisation import DEFAULT_PASSWORD_MIN_LENGTH
from ivr_designer.retention.erasure import PERSONAL_FIELDS, erase_person
from ivr_designer.tenancy import get_scoped

EDITABLE = ("name", "phone", "role", "active", "email")


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("only administrators can manage users")


def password_min_length(org: Organisation | None) -> int:
    return org.password_min_length if org is not None else DEFAULT_PASSWORD_MIN_LENGTH


def check_password(password: str, org: Organisation | None, email: str) -> None:
    problems = policy_problems(password, min_length=password_min_length(org), email=email)
    if problems:
        raise Invalid("the password does not meet the policy", {"password": problems})


def list_users(session: Session, actor: Actor, *, org_id: int | None = None) -> list[User]:
    _require_admin(actor)
    query = select(User).order_by(User.id)
    if org_id is not None:
        query = query.where(User.org_id == org_id)
    return list(session.execute(query).scalars())


def get_user(session: Session, actor: Actor, user_id: int) -> User:
    if not actor.is_admin and actor.user_id != user_id:
        raise NotFound("user not found")
    user = get_scoped(session, User, user_id)
    if user is None:
        raise NotFound("user not found")
    return user


def _email_taken(session: Session, email: str, except_id: int | None = None) -> bool:
    # Unique across all organisations, so the check must look past the tenant filter;
    # it answers only yes/no and never returns the other record.
    count = session.execute(
        select(func.count())
        .select_from(User)
        .where(User.email == email, User.id != (except_id or -1)),
        execution_options={"skip_tenant_scope": True},
    ).scalar_one()
    return bool(count)


def _check_role(actor: Actor, role: str, org_id: int | None) -> None:
    if role == Role.SYSTEM_ADMIN:
        if not actor.is_system_admin:
            raise Forbidden("only system administrators can grant the system_admin role")
        if org_id is not None:
            raise Invalid(
                "system administrators belong to no organisation",
                {"org_id": ["must be empty for system_admin"]},
            )
    elif org_id is None:
        raise Invalid(
            "users other than system admins need an organisation",
            {"org_id": ["required for this role"]},
        )


def create_user(
    session: Session,
    actor: Actor,
    hasher: PasswordHasher,
    *,
    email: str,
    name: str,
    password: str,
    role: str = Role.STAFF,
    org_id: int | None = None,
    phone: str | None = None,
    active: bool = True,
) -> User:
    _require_admin(actor)
    if not actor.is_system_admin:
        if org_id is not None and org_id != actor.org_id:
            raise NotFound("organisation not found")
        org_id = actor.org_id
    _check_role(actor, role, org_id)
    org = None
    if org_id is not None:
        org = get_scoped(session, Organisation, org_id)
        if org is None:
            raise NotFound("organisation not found")
    email = normalise_email(email)
    if _email_taken(session, email):
        raise Conflict("a user with this email exists", {"email": ["already registered"]})
    check_password(password, org, email)
    user = User(
        email=email,
        name=name,
        phone=phone,
        role=str(role),
        org_id=org_id,
        active=active,
        password_hash=hash_password(hasher, password),
    )
    session.add(user)
    session.flush()
    record(session, actor, "create", user, after=snapshot(user))
    return user


def update_user(
    session: Session,
    actor: Actor,
    hasher: PasswordHasher,
    user_id: int,
    changes: dict[str, Any],
) -> User:
    _require_admin(actor)
    user = get_user(session, actor, user_id)
    if user.is_system_admin and not actor.is_system_admin:
        raise Forbidden("only system administrators can change system administrators")
    before = snapshot(user)
    if "role" in changes:
        _check_role(actor, changes["role"], user.org_id)
        if user.id == actor.user_id and changes["role"] != user.role:
            raise Conflict("you cannot change your own role")
    if changes.get("active") is False and user.id == actor.user_id:
        raise Conflict("you cannot disable yourself")
    if "email" in changes:
        changes["email"] = normalise_email(changes["email"])
        if _email_taken(session, changes["email"], except_id=user.id):
            raise Conflict("a user with this email exists", {"email": ["already registered"]})
    password = changes.pop("password", None)
    for key, value in changes.items():
        if key not in EDITABLE:
            raise ValueError(f"not an editable user field: {key}")
        setattr(user, key, str(value) if key == "role" else value)
    if password is not None:
        check_password(password, user.org, user.email)
        user.password_hash = hash_password(hasher, password)
    session.flush()
    old, new = changed_only(before, snapshot(user))
    if password is not None:
        # Hashes are redacted, so the diff cannot see this change by itself.
        old["password_hash"] = new["password_hash"] = REDACTED
    if new:
        record(session, actor, "update", user, before=old, after=new)
    return user


def delete_user(session: Session, actor: Actor, user_id: int) -> None:
    """Delete the user and erase their personal data (see :func:`erase_person`)."""
    _require_admin(actor)
    user = get_user(session, actor, user_id)
    if user.id == actor.user_id:
        raise Conflict("you cannot delete yourself")
    if user.is_system_admin and not actor.is_system_admin:
        raise Forbidden("only system administrators can delete system administrators")
    erase_person(session, user)
    # The entry says who was deleted (id, role) but not who the person was.
    kept = {key: value for key, value in snapshot(user).items() if key not in PERSONAL_FIELDS}
    record(
        session, actor, "delete", user, before={**kept, **dict.fromkeys(PERSONAL_FIELDS, REDACTED)}
    )
    session.delete(user)
    session.flush()
