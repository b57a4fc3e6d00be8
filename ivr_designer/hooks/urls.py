"""Absolute webhook URLs pinned to flow versions (the ``flows.context.UrlBuilder``).

``/hooks/voice/<version id>/<node>``: a call keeps the version it started with, and a
goto_flow into another flow pins that flow's version published at that moment. Per-call
state rides in the query string, which the provider signs along with the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote, urlencode

from flows.errors import FlowNotFound
from ivr_designer.media.signing import audio_path

__all__ = ["VersionUrls", "hook_url"]


def hook_url(base: str, path: str, state: Mapping[str, str] | None = None) -> str:
    query = urlencode(sorted((state or {}).items()))
    return f"{base}{path}" + (f"?{query}" if query else "")


class VersionUrls:
    """Builds provider-facing URLs under ``base`` (the public origin the provider uses)."""

    def __init__(
        self,
        base: str,
        versions: Mapping[str, int],
        *,
        org_id: int,
        media_key: bytes,
        now: int,
    ) -> None:
        self.base = base.rstrip("/")
        self.versions = versions
        self.org_id = org_id
        self.media_key = media_key
        self.now = now

    def _node_path(self, flow: str, node: str) -> str:
        version = self.versions.get(flow)
        if version is None:
            raise FlowNotFound(flow)
        return f"/hooks/voice/{version}/{quote(node, safe='')}"

    def step(self, flow: str, node: str, state: Mapping[str, str] | None = None) -> str:
        return hook_url(self.base, self._node_path(flow, node), state)

    def result(self, flow: str, node: str, state: Mapping[str, str] | None = None) -> str:
        return hook_url(self.base, self._node_path(flow, node) + "/result", state)

    def wait(self, flow: str, node: str, state: Mapping[str, str] | None = None) -> str:
        return hook_url(self.base, self._node_path(flow, node) + "/wait", state)

    def recording(self, flow: str, node: str) -> str:
        return hook_url(self.base, self._node_path(flow, node) + "/recording")

    def audio(self, asset_id: str) -> str:
        return self.base + audio_path(self.media_key, self.org_id, asset_id, self.now)
