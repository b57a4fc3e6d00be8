"""Changing inbox items: claim, unclaim, handled, reopen, heard, delete.

``who`` is the acting person: a :class:`~ivr_designer.models.User` (Telegram buttons,
workers) or an :class:`~ivr_designer.actor.Actor` (the API, which adds the IP address
to audit entries). Everyone who may see an item (see ``queries.load_item``) may act on
it, with these rules for the shared state:

- claim: taking an item someone else holds is refused (409 naming the holder). An
  admin may take it over deliberately with ``take_over=True``; staff may not.
- unclaim: the holder, or an admin; not once handled (reopen first).
- handled: claims the item for the actor if nobody held it; staff cannot finish an
  item someone else holds (409), admins can. A voicemail enqueues ``voicemail.handled``.
- reopen: any listener (it goes back to the group); the claim stays only when the
  person reopening holds it, otherwise the item is open again.
- heard is per person and not shared.

Claim, unclaim, handled, reopen and delete change what the whole group sees and are
audited; heard is a personal bookmark and is not. Repeating an action that is
already in effect (claiming one's own claim, marking a handled item handled) changes
nothing, writes nothing and notifies no one.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ivr_designer.actor import Actor
from ivr_designer.audit.record import record
from ivr_designer.errors import Conflict, Forbidden
from ivr_designer.inbox.kinds import VOICEMAIL, Item, ItemKind, kind_named
from ivr_designer.inbox.queries import as_actor, load_item
from ivr_designer.models import OutboxDelivery, User
from ivr_designer.models.base import utcnow
from ivr_designer.outbox.enqueue import enqueue_event

__all__ = ["claim", "delete_item", "mark_handled", "mark_heard", "reopen", "unclaim"]

_STATE = ("claimed_by_id", "claimed_at", "handled_by_id", "handled_at")


def _state(item: Item) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in _STATE:
        value = getattr(item, name)
        values[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return values


def _name(session: Session, user_id: int | None) -> str:
    if user_id is None:
        return "nobody"
    name = session.execute(
        select(User.name).where(User.id == user_id).execution_options(skip_tenant_scope=True)
    ).scalar_one_or_none()
    return name or f"user {user_id}"


def _held_by_other(session: Session, kind: ItemKind, item: Item, verb: str) -> Conflict:
    holder = item.claimed_by_id
    name = _name(session, holder)
    return Conflict(
        f"this {kind.name} is claimed by {name}; {verb}",
        {"claimed_by": {"id": holder, "name": name}},
    )


def _audit(session: Session, actor: Actor, action: str, item: Item, before: dict[str, Any]) -> None:
    after = _state(item)
    changed = [key for key in _STATE if before[key] != after[key]]
    record(
        session,
        actor,
        action,
        item,
        before={key: before[key] for key in changed},
        after={key: after[key] for key in changed},
    )


def _load(
    session: Session, who: User | Actor, kind: str, item_id: int, *, lock: bool = True
) -> tuple[Actor, ItemKind, Item]:
    actor = as_actor(who)
    item_kind = kind_named(kind)
    return actor, item_kind, load_item(session, actor, item_kind, item_id, for_update=lock)


def claim(
    session: Session, who: User | Actor, kind: str, item_id: int, *, take_over: bool = False
) -> Item:
    """Claim the item ("I'm handling it"); shared, so everyone sees who took it."""
    actor, item_kind, item = _load(session, who, kind, item_id)
    if item.handled_at is not None:
        raise Conflict(
            f"this {kind} was already handled by {_name(session, item.handled_by_id)}; "
            "reopen it first"
        )
    if item.claimed_by_id == actor.user_id:
        return item
    if item.claimed_by_id is not None:
        if not take_over:
            raise _held_by_other(session, item_kind, item, "only an administrator can take it over")
        if not actor.is_admin:
            raise Forbidden("only administrators can take over a claimed item")
    before = _state(item)
    item.claimed_by_id = actor.user_id
    item.claimed_at = utcnow()
    session.flush()
    _audit(session, actor, "take_over" if before["claimed_by_id"] else "claim", item, before)
    return item


def unclaim(session: Session, who: User | Actor, kind: str, item_id: int) -> Item:
    """Give the item back to the group."""
    actor, item_kind, item = _load(session, who, kind, item_id)
    if item.claimed_by_id is None:
        return item
    if item.handled_at is not None:
        raise Conflict(f"this {kind} is handled; reopen it first")
    if item.claimed_by_id != actor.user_id and not actor.is_admin:
        raise _held_by_other(
            session, item_kind, item, "only they or an administrator can release it"
        )
    before = _state(item)
    item.claimed_by_id = None
    item.claimed_at = None
    session.flush()
    _audit(session, actor, "unclaim", item, before)
    return item


def mark_handled(session: Session, who: User | Actor, kind: str, item_id: int) -> Item:
    """Done. Claims the item for the actor first if nobody held it."""
    actor, item_kind, item = _load(session, who, kind, item_id)
    if item.handled_at is not None:
        return item
    holder = item.claimed_by_id
    if holder is not None and holder != actor.user_id and not actor.is_admin:
        raise _held_by_other(
            session, item_kind, item, "only they or an administrator can finish it"
        )
    before = _state(item)
    now = utcnow()
    if holder is None:
        item.claimed_by_id = actor.user_id
        item.claimed_at = now
    item.handled_by_id = actor.user_id
    item.handled_at = now
    session.flush()
    _audit(session, actor, "handled", item, before)
    if item_kind is VOICEMAIL:
        enqueue_event(
            session,
            org_id=item.org_id,
            event="voicemail.handled",
            subject_type="voicemail",
            subject_id=item.id,
            # Only the id: the worker looks the name up when it sends, so deleting
            # the user (erasure) leaves no name behind in the outbox.
            payload={"handled_by": {"id": actor.user_id}, "handled_at": now.isoformat()},
        )
    return item


def reopen(session: Session, who: User | Actor, kind: str, item_id: int) -> Item:
    """Not done after all: back to the group, or to the actor if they hold it."""
    actor, _item_kind, item = _load(session, who, kind, item_id)
    if item.handled_at is None:
        return item
    before = _state(item)
    item.handled_by_id = None
    item.handled_at = None
    if item.claimed_by_id != actor.user_id:
        item.claimed_by_id = None
        item.claimed_at = None
    session.flush()
    _audit(session, actor, "reopen", item, before)
    return item


def mark_heard(session: Session, who: User | Actor, kind: str, item_id: int) -> Item:
    """The actor has listened to (or opened) the item; only they see this."""
    actor, item_kind, item = _load(session, who, kind, item_id, lock=False)
    if actor.user_id is None:
        return item
    heard = item_kind.heard
    already = session.execute(
        select(heard.c.user_id).where(
            item_kind.heard_item == item.id, heard.c.user_id == actor.user_id
        )
    ).first()
    if already is None:
        mark = {item_kind.heard_item.name: item.id, "user_id": actor.user_id, "heard_at": utcnow()}
        # A double click may race itself; the mark is there either way.
        with contextlib.suppress(IntegrityError), session.begin_nested():
            session.execute(insert(heard).values(mark))
    return item


def delete_item(
    session: Session, who: User | Actor, kind: str, item_id: int, media_root: Path
) -> None:
    """Remove the item, its heard marks and its files (recording, Opus, PDF) for good.

    Audited for everyone (staff too): it deletes personal data. Deliveries still
    waiting to announce the item are cancelled; the files go once the row is gone.
    """
    actor, item_kind, item = _load(session, who, kind, item_id)
    files = [name for name in (getattr(item, column) for column in item_kind.files) if name]
    before = {
        "box_id": item.box_id,
        "caller": item.caller,
        "created_at": item.created_at.isoformat(),
        "status": item.status,
        **_state(item),
    }
    record(session, actor, "delete", item, before=before)
    session.execute(delete(item_kind.heard).where(item_kind.heard_item == item.id))
    session.execute(
        update(OutboxDelivery)
        .where(
            OutboxDelivery.subject_type == item_kind.name,
            OutboxDelivery.subject_id == item.id,
            OutboxDelivery.status.in_(("pending", "dead")),
        )
        .values(status="cancelled", last_error=f"the {kind} was deleted", updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.delete(item)
    session.flush()
    _remove_files(files, media_root)


def _remove_files(stored: list[str], media_root: Path) -> None:
    root = media_root.resolve()
    for name in stored:
        path = (root / name).resolve()
        if root in path.parents:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
