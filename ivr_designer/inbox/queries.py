"""Reading the inbox: who may see which item, lists with filters, and item views.

Staff see the items of the boxes they listen to; org admins every item of their org;
system admins every org's (optionally one, by ``org_id``). Items outside what the
caller may see are "not found", whether they belong to another org or to a box of
the same org the caller does not listen to.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ivr_designer.actor import Actor
from ivr_designer.callflows.access import list_filter
from ivr_designer.errors import NotFound
from ivr_designer.inbox.kinds import FAX, Item, ItemKind
from ivr_designer.models import User

__all__ = [
    "STATES",
    "InboxFilter",
    "InboxItem",
    "as_actor",
    "is_listener",
    "list_items",
    "load_item",
    "views",
]

STATES = ("open", "claimed", "handled", "all")


def as_actor(who: User | Actor) -> Actor:
    return who if isinstance(who, Actor) else Actor(user=who)


@dataclass(frozen=True)
class InboxFilter:
    box_id: int | None = None
    state: str = "all"
    org_id: int | None = None  # system admins: one org
    heard: bool | None = None  # by the caller: True heard, False not yet


@dataclass(frozen=True)
class Person:
    id: int
    name: str


@dataclass(frozen=True)
class InboxItem:
    """One item as the API shows it to one person (``heard`` is theirs)."""

    kind: str
    id: int
    org_id: int
    box_id: int
    box_name: str
    caller: str
    created_at: datetime
    status: str
    heard: bool
    claimed_by: Person | None
    claimed_at: datetime | None
    handled_by: Person | None
    handled_at: datetime | None
    duration_s: int | None = None
    transcription: str | None = None
    pages: int | None = None


def is_listener(session: Session, kind: ItemKind, user_id: int, box_id: int) -> bool:
    listeners = kind.listeners
    found = session.execute(
        select(func.count())
        .select_from(listeners)
        .where(listeners.c.box_id == box_id, listeners.c.user_id == user_id)
    ).scalar_one()
    return bool(found)


def load_item(
    session: Session, who: User | Actor, kind: ItemKind, item_id: int, *, for_update: bool = False
) -> Item:
    """The item if ``who`` may see it; ``NotFound`` otherwise.

    Checks the org explicitly as well: operations also run in unscoped sessions
    (Telegram buttons, workers), where the tenant filter does not apply.
    ``for_update`` locks the row (PostgreSQL) and reloads it, so two people pressing
    "claim" at once are decided one after the other on the current state.
    """
    actor = as_actor(who)
    model = kind.model
    query = select(model).where(model.id == item_id)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    found: Any = session.execute(query).scalar_one_or_none()
    item: Item | None = found
    missing = NotFound(f"{kind.name} not found")
    if item is None:
        raise missing
    if actor.is_system_admin:
        return item
    if actor.org_id != item.org_id:
        raise missing
    if actor.is_admin:
        return item
    if actor.user_id is None or not is_listener(session, kind, actor.user_id, item.box_id):
        raise missing
    return item


def _filtered(query: Select[Any], actor: Actor, kind: ItemKind, wanted: InboxFilter) -> Select[Any]:
    model = kind.model
    org = list_filter(actor, wanted.org_id)
    if org is not None:
        query = query.where(model.org_id == org)
    if not actor.is_admin:
        listeners = kind.listeners
        query = query.where(
            model.box_id.in_(select(listeners.c.box_id).where(listeners.c.user_id == actor.user_id))
        )
    if wanted.box_id is not None:
        query = query.where(model.box_id == wanted.box_id)
    if wanted.heard is not None:
        mine = select(kind.heard_item).where(kind.heard.c.user_id == actor.user_id)
        query = query.where(model.id.in_(mine) if wanted.heard else model.id.not_in(mine))
    if wanted.state == "open":
        query = query.where(model.claimed_by_id.is_(None), model.handled_at.is_(None))
    elif wanted.state == "claimed":
        query = query.where(model.claimed_by_id.is_not(None), model.handled_at.is_(None))
    elif wanted.state == "handled":
        query = query.where(model.handled_at.is_not(None))
    return query


def list_items(
    session: Session,
    who: User | Actor,
    kind: ItemKind,
    wanted: InboxFilter,
    *,
    offset: int,
    limit: int,
) -> tuple[list[InboxItem], int]:
    """One page of items, newest first, and how many match in all."""
    actor = as_actor(who)
    model = kind.model
    total = session.execute(_filtered(select(func.count(model.id)), actor, kind, wanted))
    page = session.execute(
        _filtered(select(model), actor, kind, wanted)
        .order_by(model.created_at.desc(), model.id.desc())
        .offset(offset)
        .limit(limit)
    ).scalars()
    return views(session, actor, kind, list(page)), int(total.scalar_one())


def _names(session: Session, model: Any, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    rows = session.execute(
        select(model.id, model.name)
        .where(model.id.in_(wanted))
        .execution_options(skip_tenant_scope=True)  # the ids come from visible rows
    )
    return {row.id: row.name for row in rows}


def _person(names: dict[int, str], user_id: int | None) -> Person | None:
    if user_id is None:
        return None
    return Person(user_id, names.get(user_id, ""))


def views(
    session: Session, who: User | Actor, kind: ItemKind, items: Sequence[Item]
) -> list[InboxItem]:
    """The API view of ``items`` for ``who``: box names, people and their own ``heard``."""
    actor = as_actor(who)
    ids = [item.id for item in items]
    heard: set[int] = set()
    if ids and actor.user_id is not None:
        heard = set(
            session.execute(
                select(kind.heard_item).where(
                    kind.heard_item.in_(ids), kind.heard.c.user_id == actor.user_id
                )
            ).scalars()
        )
    boxes = _names(session, kind.box_model, (item.box_id for item in items))
    people = _names(
        session, User, [i.claimed_by_id for i in items] + [i.handled_by_id for i in items]
    )
    result = []
    for item in items:
        extra: dict[str, Any] = (
            {"pages": getattr(item, "pages", None)}
            if kind is FAX
            else {
                "duration_s": getattr(item, "duration_s", None),
                "transcription": getattr(item, "transcription", None),
            }
        )
        result.append(
            InboxItem(
                kind=kind.name,
                id=item.id,
                org_id=item.org_id,
                box_id=item.box_id,
                box_name=boxes.get(item.box_id, ""),
                caller=item.caller,
                created_at=item.created_at,
                status=item.status,
                heard=item.id in heard,
                claimed_by=_person(people, item.claimed_by_id),
                claimed_at=item.claimed_at,
                handled_by=_person(people, item.handled_by_id),
                handled_at=item.handled_at,
                **extra,
            )
        )
    return result
