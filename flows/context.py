"""What rendering needs from the outside world, passed in as plain values.

The web app supplies real, signed URLs and the org's audio; the CLI and the simulator
use `RelativeUrls` and `placeholder_audio`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol
from urllib.parse import quote, urlencode

from flows.model import Flow

DEFAULT_TIMEZONE = "Europe/Copenhagen"
DEFAULT_LANGUAGE = "da-DK"


class UrlBuilder(Protocol):
    """Where the provider is sent next. Every URL names the flow and the node."""

    def step(self, flow: str, node: str, state: Mapping[str, str] = ...) -> str:
        """Render `node` (a Redirect target)."""
        ...

    def result(self, flow: str, node: str, state: Mapping[str, str] = ...) -> str:
        """Action URL of a Gather/Dial/Record/Enqueue/Receive: leads to the transition."""
        ...

    def wait(self, flow: str, node: str, state: Mapping[str, str] = ...) -> str:
        """Queue wait URL (hold music, announcements, max-wait check)."""
        ...

    def recording(self, flow: str, node: str) -> str:
        """recordingStatusCallback / transcribeCallback of a voicemail."""
        ...

    def audio(self, asset_id: str) -> str:
        """A URL the provider can fetch the asset's telephony rendition from."""
        ...


@dataclass(frozen=True)
class Playable:
    """How to play an audio reference: a URL to <Play>, or text to <Say>."""

    url: str | None = None
    text: str | None = None
    language: str | None = None
    name: str = ""  # human name for traces ("Welcome greeting")


class RelativeUrls:
    """Readable relative URLs for the CLI, the simulator and tests."""

    def _url(self, path: str, state: Mapping[str, str] | None) -> str:
        query = urlencode(sorted((state or {}).items()))
        return f"{path}?{query}" if query else path

    def step(self, flow: str, node: str, state: Mapping[str, str] | None = None) -> str:
        return self._url(f"/hooks/voice/{quote(flow)}/{quote(node)}", state)

    def result(self, flow: str, node: str, state: Mapping[str, str] | None = None) -> str:
        return self._url(f"/hooks/voice/{quote(flow)}/{quote(node)}/result", state)

    def wait(self, flow: str, node: str, state: Mapping[str, str] | None = None) -> str:
        return self._url(f"/hooks/voice/{quote(flow)}/{quote(node)}/wait", state)

    def recording(self, flow: str, node: str) -> str:
        return f"/hooks/voice/{quote(flow)}/{quote(node)}/recording"

    def audio(self, asset_id: str) -> str:
        return f"/media/audio/{quote(asset_id)}.wav"


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class RenderContext:
    """Everything a node's render or transition may look at besides its own properties."""

    urls: UrlBuilder = field(default_factory=RelativeUrls)
    now: datetime = field(default_factory=_utcnow)  # timezone-aware
    timezone: str = DEFAULT_TIMEZONE  # the org's time zone
    language: str = DEFAULT_LANGUAGE  # the org's language for <Say>
    caller: str = ""  # E.164 of the caller (From)
    call_sid: str = ""
    flow: str = ""  # name of the flow being rendered; set by the engine
    state: Mapping[str, str] = field(default_factory=dict)  # this node's per-call state
    flows: Mapping[str, Flow] = field(default_factory=dict)  # other flows, for goto_flow
    audio: Callable[[str], Playable] | None = None  # asset id -> Playable; None = placeholder

    def playable(self, asset_id: str) -> Playable:
        if self.audio is not None:
            return self.audio(asset_id)
        return Playable(url=self.urls.audio(asset_id), name=asset_id)
