"""What a webhook needs from the database, in as few round trips as possible.

The number's route (org, provider credentials, published flow, fax box) is one indexed
query. Parsed flows are cached per FlowVersion id: versions never change, so the cache
is safe across requests and workers; nothing per call is kept in memory.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, bindparam, select
from sqlalchemy.orm import Session

from flows.fileformat import flow_from_dict
from flows.model import Flow
from ivr_designer.models import Call, FlowVersion, Organisation, PhoneNumber, ProviderAccount
from ivr_designer.models import Flow as FlowRow

__all__ = [
    "LoadedVersion",
    "Route",
    "VersionCache",
    "find_route",
    "find_route_by_call",
    "flow_versions",
]


@dataclass(frozen=True)
class Route:
    """A number of ours and everything a webhook for it needs to know."""

    number_id: int
    e164: str
    org_id: int
    language: str
    time_zone: str
    provider_account_id: int
    provider: str
    account_sid: str
    auth_token_encrypted: str
    api_base_url: str | None
    published_version_id: int | None
    fax_box_id: int | None


_NUMBER: Table = PhoneNumber.__table__  # type: ignore[assignment]
_ORG: Table = Organisation.__table__  # type: ignore[assignment]
_ACCOUNT: Table = ProviderAccount.__table__  # type: ignore[assignment]
_FLOW: Table = FlowRow.__table__  # type: ignore[assignment]
_CALL: Table = Call.__table__  # type: ignore[assignment]

_ROUTE_COLUMNS = (
    _NUMBER.c.id,
    _NUMBER.c.e164,
    _NUMBER.c.org_id,
    _ORG.c.language,
    _ORG.c.time_zone,
    _ACCOUNT.c.id,
    _ACCOUNT.c.provider,
    _ACCOUNT.c.account_sid,
    _ACCOUNT.c.auth_token_encrypted,
    _ACCOUNT.c.api_base_url,
    _FLOW.c.published_version_id,
    _NUMBER.c.fax_box_id,
)
_ROUTES = _NUMBER.join(_ORG, _ORG.c.id == _NUMBER.c.org_id).join(
    _ACCOUNT, _ACCOUNT.c.id == _NUMBER.c.provider_account_id
)
_ROUTES = _ROUTES.outerjoin(_FLOW, _FLOW.c.id == _NUMBER.c.voice_flow_id)
# Core statements built once, run on the session's connection: the hot path only binds.
_BY_NUMBER = select(*_ROUTE_COLUMNS).select_from(_ROUTES).where(_NUMBER.c.e164 == bindparam("e164"))
_BY_CALL = (
    select(*_ROUTE_COLUMNS)
    .select_from(_ROUTES.join(_CALL, _CALL.c.phone_number_id == _NUMBER.c.id))
    .where(_CALL.c.call_sid == bindparam("call_sid"))
)
_VERSION = select(FlowVersion.__table__.c.org_id, FlowVersion.__table__.c.document).where(
    FlowVersion.__table__.c.id == bindparam("version_id")
)


def _route(row: Any) -> Route | None:
    if row is None:
        return None
    values: tuple[Any, ...] = tuple(row)
    return Route(*values)


def find_route(session: Session, e164: str) -> Route | None:
    """The route of our number ``e164`` (the provider's ``To``), or None."""
    if not e164 or len(e164) > 32:
        return None
    row = session.connection().execute(_BY_NUMBER, {"e164": e164.strip()}).first()
    return _route(row)


def find_route_by_call(session: Session, call_sid: str) -> Route | None:
    """The route of the number a known call came in on (callbacks without ``To``)."""
    if not call_sid or len(call_sid) > 64:
        return None
    row = session.connection().execute(_BY_CALL, {"call_sid": call_sid}).first()
    return _route(row)


@dataclass(frozen=True)
class LoadedVersion:
    id: int
    org_id: int
    flow: Flow

    @property
    def name(self) -> str:
        return self.flow.name

    @property
    def sub_flows(self) -> frozenset[str]:
        """Names of the flows this version's goto_flow nodes enter."""
        return frozenset(
            str(node.props.get("flow"))
            for node in self.flow.nodes.values()
            if node.type == "goto_flow" and isinstance(node.props, Mapping)
        )


class VersionCache:
    """A small thread-safe LRU of parsed flow versions (immutable, so never stale)."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._items: OrderedDict[int, LoadedVersion] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, session: Session, version_id: int) -> LoadedVersion | None:
        with self._lock:
            hit = self._items.get(version_id)
            if hit is not None:
                self._items.move_to_end(version_id)
                return hit
        row = session.connection().execute(_VERSION, {"version_id": version_id}).first()
        if row is None:
            return None
        loaded = LoadedVersion(version_id, row.org_id, flow_from_dict(row.document))
        with self._lock:
            self._items[version_id] = loaded
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return loaded

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def flow_versions(
    session: Session, cache: VersionCache, org_id: int, start: LoadedVersion
) -> dict[str, LoadedVersion]:
    """``start`` and every flow its goto_flow nodes reach (by flow name), at their
    published versions now. Sub-flows are looked up only when there are goto_flow nodes.
    """
    found = {start.name: start}
    wanted: set[str] = set(start.sub_flows) - found.keys()
    for _ in range(16):  # sub-flow chains are short; validation forbids cycles
        if not wanted:
            break
        published = _published(session, org_id, wanted)
        wanted = set()
        for name, version_id in published:
            loaded = cache.get(session, version_id)
            if loaded is None or loaded.org_id != org_id or name in found:
                continue
            found[name] = loaded
            wanted |= set(loaded.sub_flows) - found.keys()
    return found


def _published(session: Session, org_id: int, names: Iterable[str]) -> list[tuple[str, int]]:
    rows = session.execute(
        select(FlowRow.name, FlowRow.published_version_id).where(
            FlowRow.org_id == org_id,
            FlowRow.name.in_(sorted(names)),
            FlowRow.published_version_id.is_not(None),
        )
    )
    return [(str(name), int(version)) for name, version in rows if version is not None]
