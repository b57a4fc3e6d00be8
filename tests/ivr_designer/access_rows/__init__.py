"""What the access matrix is made of, and the extra rows later features add.

Each module in this package (not starting with ``_``) may define ``ENDPOINTS`` (name →
:class:`Endpoint`) and ``seed(org, target, world, request) -> dict`` which adds things to
``world.things[target]`` (``request`` is pytest's, for ``getfixturevalue``). The matrix
test merges them, so a feature adds its rows without editing the matrix itself.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from ivr_designer.models import ApiToken, Organisation, User

ROLES = ("anonymous", "staff", "org_admin", "system_admin")


@dataclass
class World:
    orgs: dict[str, Organisation]
    callers: dict[str, User]
    victims: dict[str, User]
    tokens: dict[str, ApiToken]
    # Per target ("own"/"foreign"): flows, boxes, provider account, number (issue 4).
    things: dict[str, dict[str, Any]] = field(default_factory=dict)


def _all(status: int) -> dict[str, Any]:
    return dict.fromkeys(ROLES, status)


def _expect(anonymous: int, staff: Any, org_admin: Any, system_admin: Any) -> dict[str, Any]:
    return {
        "anonymous": anonymous,
        "staff": staff,
        "org_admin": org_admin,
        "system_admin": system_admin,
    }


@dataclass(frozen=True)
class Endpoint:
    method: str
    rule: str
    path: Any  # (world, target) -> str
    expected: dict[str, Any]  # role -> status, or (own status, foreign status)
    body: Any = None  # (world, target) -> dict
    writes: bool = False
    form: Any = None  # (world, target) -> multipart form (uploads), instead of ``body``


def extra_rows() -> list[ModuleType]:
    """The feature modules of this package, in name order."""
    return [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name)
        if not info.name.startswith("_")
    ]
