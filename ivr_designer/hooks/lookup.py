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

from sqlalchemy import bindparam, select
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


_ROUTE_COLUMNS = (
    PhoneNumber.id,
    PhoneNumber.e164,
    PhoneNumber.org_id,
    Organisation.language,
    Organisation.time_zone,
    ProviderAccount.id,
    ProviderAccount.provider,
    ProviderAccount.account_sid,
    ProviderAccount.auth_token_encrypted,
    ProviderAccount.api_base_url,
    FlowRow.published_version_id,
    PhoneNumber.fax_box_id,
)


_ROUTES = (
    select(*_ROUTE_COLUMNS)
    .join(Organisation, Organisation.id == PhoneNumber.org_id)
    .join(ProviderAccount, ProviderAccount.id == PhoneNumber.provider_account_id)
    .outerjoin(FlowRow, FlowRow.id == PhoneNumber.voice_flow_id)
)
# Built once: the hot path only binds the number.
_BY_NUMBER = _ROUTES.where(PhoneNumber.e164 == bindparam("e164"))
_BY_CALL = _ROUTES.join(Call, Call.phone_number_id == PhoneNumber.id).where(
    Call.call_sid == bindparam("call_sid")
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
    row = session.execute(_BY_NUMBER, {"e164": e164.strip()}).first()
    return _route(row)


def find_route_by_call(session: Session, call_sid: str) -> Route | None:
    """The route of the number a known call came in on (callbacks without ``To``)."""
    if not call_sid or len(call_sid) > 64:
        return None
    row = session.execute(_BY_CALL, {"call_sid": call_sid}).first()
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
        row = session.execute(
            select(FlowVersion.org_id, FlowVersion.document).where(FlowVersion.id == version_id)
        ).first()
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
