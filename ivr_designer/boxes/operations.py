"""Managing voicemail and fax boxes.

A box's ``key`` is what flow documents use (``"box": "vm-main"``), so it is fixed at
creation: changing it would silently break live flows. Renaming the display name is
free. A box cannot be deleted while a published flow or a number still delivers into
it, or while it holds messages. Listeners are users of the box's own organisation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ivr_designer.actor import Actor
from ivr_designer.audit.record import changed_only, record, snapshot
from ivr_designer.callflows.access import list_filter, load, require_admin, target_org
from ivr_designer.callflows.references import published_flows_referencing
from ivr_designer.errors import Conflict, Invalid
from ivr_designer.models import Fax, FaxBox, PhoneNumber, User, Voicemail, VoicemailBox

Box = VoicemailBox | FaxBox


@dataclass(frozen=True)
class BoxKind:
    model: type[VoicemailBox] | type[FaxBox]
    messages: type[Voicemail] | type[Fax]
    label: str  # in messages: "voicemail box"
    reference: str  # the flows' reference kind: "voicemail_box"
    settings: tuple[str, ...]  # kind-specific editable columns


VOICEMAIL = BoxKind(VoicemailBox, Voicemail, "voicemail box", "voicemail_box", ("max_length_s",))
FAX = BoxKind(FaxBox, Fax, "fax box", "fax_box", ())
WHAT = "boxes"


def box_snapshot(box: Box) -> dict[str, Any]:
    return {**snapshot(box), "listener_ids": sorted(user.id for user in box.listeners)}


def list_boxes(
    session: Session, actor: Actor, kind: BoxKind, *, org_id: int | None = None
) -> list[Box]:
    """Administrators see the org's boxes; staff only the boxes they listen to."""
    model = kind.model
    query = select(model).order_by(model.org_id, model.key)
    if not actor.is_admin:
        query = query.where(model.listeners.any(User.id == actor.user_id))
    org = list_filter(actor, org_id)
    if org is not None:
        query = query.where(model.org_id == org)
    boxes: list[Box] = list(session.execute(query).scalars())  # type: ignore[arg-type]
    return boxes


def get_box(session: Session, actor: Actor, kind: BoxKind, box_id: int) -> Box:
    require_admin(actor, WHAT)
    box: Box = load(session, kind.model, box_id, kind.label)
    return box


def _listeners(session: Session, org_id: int, user_ids: Sequence[int]) -> list[User]:
    wanted = sorted(set(user_ids))
    users = list(
        session.execute(
            select(User).where(User.id.in_(wanted), User.org_id == org_id).order_by(User.id)
        ).scalars()
    )
    missing = sorted(set(wanted) - {user.id for user in users})
    if missing:
        raise Invalid(
            "listeners must be users of the box's organisation",
            {"listener_ids": [f"user {user_id} not found" for user_id in missing]},
        )
    return users


def _key_taken(session: Session, kind: BoxKind, org_id: int, key: str) -> bool:
    model = kind.model
    count = session.execute(
        select(func.count()).select_from(model).where(model.org_id == org_id, model.key == key)
    ).scalar_one()
    return bool(count)


def create_box(
    session: Session,
    actor: Actor,
    kind: BoxKind,
    *,
    key: str,
    name: str,
    listener_ids: Sequence[int] = (),
    org_id: int | None = None,
    **settings: Any,
) -> Box:
    require_admin(actor, WHAT)
    org = target_org(session, actor, org_id)
    unknown = set(settings) - set(kind.settings)
    if unknown:
        raise ValueError(f"unknown {kind.label} settings: {sorted(unknown)}")
    if _key_taken(session, kind, org, key):
        raise Conflict(f"a {kind.label} with this key exists", {"key": ["already taken"]})
    box = kind.model(org_id=org, key=key, name=name, **settings)
    box.listeners = _listeners(session, org, listener_ids)
    session.add(box)
    session.flush()
    record(session, actor, "create", box, after=box_snapshot(box))
    return box


def update_box(
    session: Session, actor: Actor, kind: BoxKind, box_id: int, changes: dict[str, Any]
) -> Box:
    box = get_box(session, actor, kind, box_id)
    if "key" in changes and changes["key"] != box.key:
        raise Invalid(
            "the key cannot be changed: flows refer to the box by it",
            {"key": ["cannot be changed after creation; create a new box instead"]},
        )
    before = box_snapshot(box)
    for field, value in changes.items():
        if field == "listener_ids":
            box.listeners = _listeners(session, box.org_id, value)
        elif field in ("name", *kind.settings):
            setattr(box, field, value)
        elif field != "key":
            raise ValueError(f"not an editable {kind.label} field: {field}")
    session.flush()
    old, new = changed_only(before, box_snapshot(box))
    if new:
        record(session, actor, "update", box, before=old, after=new)
    return box


def _still_used(session: Session, kind: BoxKind, box: Box) -> list[str]:
    problems = []
    flows = published_flows_referencing(session, box.org_id, kind.reference, box.key)
    if flows:
        problems.append(f"the published version of {', '.join(flows)} delivers into it")
    if kind is FAX:
        numbers = session.execute(
            select(PhoneNumber.e164)
            .where(PhoneNumber.org_id == box.org_id, PhoneNumber.fax_box_id == box.id)
            .order_by(PhoneNumber.e164)
        ).scalars()
        routed = list(numbers)
        if routed:
            problems.append(f"{', '.join(routed)} receive faxes into it")
    messages = kind.messages
    held = session.execute(
        select(func.count()).select_from(messages).where(messages.box_id == box.id)
    ).scalar_one()
    if held:
        problems.append(f"it holds {held} message(s)")
    return problems


def delete_box(session: Session, actor: Actor, kind: BoxKind, box_id: int) -> None:
    box = get_box(session, actor, kind, box_id)
    problems = _still_used(session, kind, box)
    if problems:
        raise Conflict(f"the {kind.label} is still in use: {'; '.join(problems)}")
    record(session, actor, "delete", box, before=box_snapshot(box))
    session.delete(box)
    session.flush()
