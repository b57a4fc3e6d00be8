"""Tenant isolation in one place: every ORM query of a scoped session is filtered.

When a user of an organisation is signed in, their session carries the org id and
each SELECT/UPDATE/DELETE gets ``<model>.<tenant column> == org_id`` added for every
tenant-owned model it touches (also through joins and relationship loads). Handlers
therefore cannot forget the filter; a record of another org simply is not found,
which the API answers with 404.

A model opts in with ``__tenant_column__`` (``"org_id"``, or ``"id"`` for the
organisation itself). Use :func:`get_scoped` rather than ``Session.get``: the latter
can answer from the identity map without running a query. The execution option
``skip_tenant_scope`` exists only for global yes/no checks (is this email taken?).
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import event, select
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from ivr_designer.models import Base

TENANT_KEY = "ivr_designer.tenant_org_id"
T = TypeVar("T")


def scope_session(session: Session, org_id: int | None) -> None:
    """Restrict ``session`` to ``org_id``; ``None`` lifts the restriction (system admin)."""
    if org_id is None:
        session.info.pop(TENANT_KEY, None)
    else:
        session.info[TENANT_KEY] = org_id


def tenant_of(session: Session) -> int | None:
    org_id: int | None = session.info.get(TENANT_KEY)
    return org_id


def tenant_models() -> list[type[Any]]:
    return [
        mapper.class_
        for mapper in Base.registry.mappers
        if getattr(mapper.class_, "__tenant_column__", None)
    ]


@event.listens_for(Session, "do_orm_execute")
def _add_tenant_criteria(state: ORMExecuteState) -> None:
    org_id = state.session.info.get(TENANT_KEY)
    if org_id is None or state.execution_options.get("skip_tenant_scope"):
        return
    if not (state.is_select or state.is_update or state.is_delete):
        return
    # Relationship and column loads inherit the criteria from the statement that
    # loaded the parent (propagate_to_loaders), so they need nothing extra.
    if state.is_column_load or state.is_relationship_load:
        return
    options = [
        with_loader_criteria(
            model, getattr(model, model.__tenant_column__) == org_id, include_aliases=True
        )
        for model in tenant_models()
    ]
    state.statement = state.statement.options(*options)


def get_scoped(session: Session, model: type[T], object_id: Any) -> T | None:
    """Load one record through the tenant filter (always runs a query)."""
    return session.execute(
        select(model).where(model.id == object_id)  # type: ignore[attr-defined]
    ).scalar_one_or_none()
