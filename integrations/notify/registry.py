"""The channel registry: every module in ``integrations/notify/channels/`` declares channels.

Channels are discovered by importing that package's modules (as the node-type registry
does), so adding a channel is adding one module; nothing keeps a list of kinds.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from functools import cache
from typing import Any

import integrations.notify.channels
from integrations.notify.base import Channel

__all__ = ["UnknownChannel", "build", "channel_classes", "get", "kinds"]


class UnknownChannel(KeyError):
    pass


@cache
def _classes() -> dict[str, type[Channel]]:
    found: dict[str, type[Channel]] = {}
    package = integrations.notify.channels
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, Channel)
                and value.__module__ == module.__name__
                and "kind" in vars(value)
            ):
                if value.kind in found:
                    raise RuntimeError(f"channel kind {value.kind!r} declared twice")
                found[value.kind] = value
    return found


def channel_classes() -> dict[str, type[Channel]]:
    """Every discovered channel class by kind (for config schemas on admin screens)."""
    return dict(_classes())


def kinds() -> list[str]:
    return sorted(_classes())


def build(settings: Mapping[str, Any] | None = None) -> dict[str, Channel]:
    """One instance per kind, configured from installation settings.

    The app calls this once at start-up and keeps the dict (no module-level state).
    """
    return {kind: cls.from_settings(settings or {}) for kind, cls in _classes().items()}


def get(kind: str, settings: Mapping[str, Any] | None = None) -> Channel:
    """A channel instance for ``kind`` (``"telegram"``, ``"webhook"``, ``"console"``)."""
    try:
        cls = _classes()[kind]
    except KeyError:
        raise UnknownChannel(kind) from None
    return cls.from_settings(settings or {})
