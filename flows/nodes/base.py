"""The contract every node type fulfils. One subclass per module in `flows/nodes/`.

A node type declares, once: its property schema, its ports, extra validation, what it
references, how it renders to TwiML and how the provider's result picks a port. The
runtime, the simulator, the validator and the editor all read these declarations.
"""

from __future__ import annotations

import builtins
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

from marshmallow import Schema
from twilio.twiml.voice_response import VoiceResponse

from flows.catalogue import Catalogue
from flows.context import RenderContext
from flows.findings import Finding
from flows.model import Node
from flows.nodes._fastload import Loader, compile_schema


class Waits(StrEnum):
    """What a node waits for once rendered; drives chaining and loop analysis."""

    NOTHING = "nothing"  # pass-through (play, hours, goto_flow): follow the port at once
    CALLER = "caller"  # asks the caller for input (Gather)
    PROVIDER = "provider"  # waits on the provider (Dial, Enqueue, Record, Receive)
    END = "end"  # ends the call (Hangup)


@dataclass(frozen=True, slots=True)
class Port:
    """A named outgoing edge.

    `choice` is True when taking the port is the caller's deliberate act (a digit);
    False when it happens without one (timeout, no answer, next, open/closed).
    """

    name: str
    label: str
    required: bool = False
    choice: bool = False


@dataclass(frozen=True, slots=True)
class Reference:
    """Something outside the flow a node points at, checked against the catalogue."""

    kind: str  # "audio" | "voicemail_box" | "fax_box" | "number" | "flow"
    id: str
    field: str  # property path in the node, for findings
    use: str | None = None  # for audio: the use it is played as ("prompt", "hold_music", ...)


@dataclass(frozen=True)
class Transition:
    """The outcome of a provider result on a node.

    Either a port is taken (`port`), or the node runs again (`port is None`) with new
    per-call `state` (a retry counter, the next ring-group member, ...). `state` travels
    in the step URL query, never in process memory.
    """

    port: str | None
    state: Mapping[str, str] = field(default_factory=dict)
    input: str | None = None  # what the caller pressed / said, for the call trace
    ends: bool = False  # the call is already over (caller hung up): nothing follows


class NodeType(ABC):
    type: ClassVar[str]
    label: ClassVar[str]
    icon: ClassVar[str]  # an icon name the editor maps to a glyph
    description: ClassVar[str]
    schema: ClassVar[builtins.type[Schema]]
    waits: ClassVar[Waits]

    def load(self, props: Mapping[str, Any]) -> dict[str, Any]:
        """Properties checked against the schema, defaults filled in.

        Raises `marshmallow.ValidationError` on bad properties. Well-formed properties
        take a fast path compiled from the same schema (flows.nodes._fastload); anything
        it does not vouch for, every error included, is loaded by marshmallow.
        """
        data = props if type(props) is dict else dict(props)
        fast = self._fast_loader()
        if fast is not None:
            try:
                quick: dict[str, Any] = fast(data)
            except Exception:  # noqa: S110 - marshmallow below gives the verdict
                pass
            else:
                return quick
        loaded: dict[str, Any] = self._schema_instance().load(data)
        return loaded

    def _schema_instance(self) -> Schema:
        # Building a marshmallow schema (it deep-copies its fields, nested ones too)
        # costs several loads; a schema keeps no per-load state, so one per type serves.
        instance: Schema | None = self.__dict__.get("_schema")
        if instance is None:
            instance = self.__dict__["_schema"] = self.schema()
        return instance

    def _fast_loader(self) -> Loader | None:
        if "_fast" not in self.__dict__:
            self.__dict__["_fast"] = compile_schema(self._schema_instance())
        fast: Loader | None = self.__dict__["_fast"]
        return fast

    @abstractmethod
    def ports(self, props: Mapping[str, Any]) -> list[Port]:
        """The ports of a node with these (loaded) properties."""

    def validate(
        self, node: Node, props: Mapping[str, Any], catalogue: Catalogue | None
    ) -> Iterable[Finding]:
        """Rules beyond the schema for one node. Graph-wide rules live in flows.validation."""
        return ()

    def references(self, props: Mapping[str, Any]) -> Iterable[Reference]:
        return ()

    def enters_flow(self, props: Mapping[str, Any]) -> str | None:
        """Name of another flow whose entry follows this node at once (goto_flow)."""
        return None

    @abstractmethod
    def render(
        self, node: Node, props: Mapping[str, Any], ctx: RenderContext, response: VoiceResponse
    ) -> str | None:
        """Append this node's verbs to `response`.

        Return the port to follow at once (pass-through nodes), or None when the
        response now waits for the caller or the provider (its action URL leads to
        `transition`) or ends the call.
        """

    def transition(
        self, node: Node, props: Mapping[str, Any], params: Mapping[str, str], ctx: RenderContext
    ) -> Transition:
        """Pick the port from the provider's result parameters (Digits, DialCallStatus, ...)."""
        raise NotImplementedError(f"{self.type} nodes take no provider result")

    def editor(self) -> dict[str, Any]:
        """What the editor needs to draw and edit this type (see flows.registry.describe)."""
        return {}
