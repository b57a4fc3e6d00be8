"""queue: an answer group. Callers wait with hold music until staff pick up.

Twilio fetches the wait URL again each time its document has played; `render_wait`
answers it with the announcement when one is due, hold music, and <Leave/> once the
caller has waited `max_wait` or sits beyond the kind's queue limit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from marshmallow import Schema, fields, validate
from twilio.twiml.voice_response import VoiceResponse

from flows.catalogue import Catalogue
from flows.context import RenderContext
from flows.findings import Finding, Severity
from flows.model import Node
from flows.nodes._common import DeclaredPorts, int_state, seconds
from flows.nodes.base import Port, Reference, Transition, Waits
from flows.prompts import add_prompt, prompt_field, prompt_references

KINDS = ("basic", "advanced", "receptionist")
LIMITS: dict[str, int | None] = {"basic": 5, "advanced": None, "receptionist": None}
ANSWERED = frozenset({"bridged", "bridging-in-process"})
SILENCE = 10  # seconds of <Pause> between wait checks when there is no hold music


class QueueSchema(Schema):
    kind = fields.String(
        load_default="basic",
        validate=validate.OneOf(KINDS),
        metadata={
            "title": "Kind",
            "choices": {"basic": "Basic", "advanced": "Advanced", "receptionist": "Receptionist"},
        },
    )
    name = fields.String(
        load_default=None,
        validate=validate.Regexp(r"^[A-Za-z0-9_.\-]{1,64}$"),
        metadata={"title": "Queue name (empty: from the node)"},
    )
    hold_music = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=200),
        metadata={"title": "Hold music", "format": "audio"},
    )
    announcement = prompt_field(title="Announcement while waiting")
    announce_every = seconds(60, 10, 600, "Seconds between announcements")
    max_wait = seconds(300, 10, 3600, "Longest wait before overflow")


def _param(params: Mapping[str, str], key: str) -> int:
    raw = str(params.get(key, "")).strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 9 else 0


class Queue(DeclaredPorts):
    type = "queue"
    label = "Answer group"
    icon = "inbox"
    description = "Puts the caller in a queue with hold music until staff answer."
    category = "people"
    schema = QueueSchema
    waits = Waits.PROVIDER
    PORTS = (
        Port("answered", "After the call"),
        Port("overflow", "Waited too long / queue full", required=True),
    )

    def validate(
        self, node: Node, props: Mapping[str, Any], catalogue: Catalogue | None
    ) -> Iterable[Finding]:
        if props["hold_music"] is not None:
            return ()
        return [
            Finding(
                Severity.WARNING,
                "queue.no_hold_music",
                f"Callers in answer group {node.id!r} wait in silence.",
                node=node.id,
                field="hold_music",
            )
        ]

    def references(self, props: Mapping[str, Any]) -> Iterable[Reference]:
        found = prompt_references(props.get("announcement"), "announcement", "queue_message")
        if props["hold_music"] is not None:
            found.append(
                Reference(
                    kind="audio", id=props["hold_music"], field="hold_music", use="hold_music"
                )
            )
        return found

    def queue_name(self, node: Node, props: Mapping[str, Any], ctx: RenderContext) -> str:
        return str(props["name"] or f"{ctx.flow}-{node.id}")

    def render(
        self, node: Node, props: Mapping[str, Any], ctx: RenderContext, response: VoiceResponse
    ) -> str | None:
        limit = LIMITS[props["kind"]]
        extra: dict[str, Any] = {} if limit is None else {"max_queue_size": limit}
        response.enqueue(
            self.queue_name(node, props, ctx),
            action=ctx.urls.result(ctx.flow, node.id, {}),
            method="POST",
            wait_url=ctx.urls.wait(ctx.flow, node.id, {}),
            wait_url_method="POST",
            **extra,
        )
        return None

    def render_wait(
        self,
        node: Node,
        props: Mapping[str, Any],
        params: Mapping[str, str],
        ctx: RenderContext,
        response: VoiceResponse,
    ) -> None:
        """The wait-URL document: leave, or announcement + hold music + come back."""
        waited = _param(params, "QueueTime")
        place = _param(params, "QueuePosition") or _param(params, "CurrentQueueSize")
        limit = LIMITS[props["kind"]]
        if waited >= props["max_wait"] or (limit is not None and place > limit):
            response.leave()
            return
        announced = int_state(ctx, "announced", -1)
        slot = waited // props["announce_every"]
        if props["announcement"] is not None and slot > announced:
            add_prompt(response, props["announcement"], ctx)
            announced = slot
        if props["hold_music"] is not None:
            add_prompt(response, {"audio": props["hold_music"]}, ctx)
        else:
            response.pause(length=min(SILENCE, props["max_wait"] - waited))
        state = {"announced": str(announced)} if announced >= 0 else {}
        response.redirect(ctx.urls.wait(ctx.flow, node.id, state), method="POST")

    def transition(
        self, node: Node, props: Mapping[str, Any], params: Mapping[str, str], ctx: RenderContext
    ) -> Transition:
        result = str(params.get("QueueResult", "")).strip().lower()
        if result in ANSWERED:
            return Transition(port="answered", input=result)
        if result == "hangup":
            return Transition(port=None, input=result, ends=True)
        return Transition(port="overflow", input=result[:20] or None)
