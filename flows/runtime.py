"""The call runtime: render a node (and the pass-through nodes after it) to TwiML, and
turn a provider result into the next node.

One webhook answers as much as it can: rendering follows play, hours and goto_flow
nodes until a node needs the caller or the provider, or the call ends. Every URL in the
output names the flow and node it leads to, and per-call state travels in those URLs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol, runtime_checkable

from marshmallow import ValidationError
from twilio.twiml import TwiML
from twilio.twiml.voice_response import VoiceResponse

from flows import registry
from flows.context import Playable, RenderContext
from flows.errors import (
    FlowError,
    InvalidParams,
    InvalidProperties,
    InvalidStep,
    NodeFailed,
    NodeNotFound,
    UnknownType,
)
from flows.model import Flow, Node
from flows.nodes.base import NodeType, Waits

__all__ = [
    "MAX_CHAIN",
    "Next",
    "RenderResult",
    "Visit",
    "load_node",
    "render",
    "render_step",
    "render_wait",
    "respond",
    "respond_step",
    "transition",
    "wait_step",
]

MAX_CHAIN = 50  # nodes one response may pass through; more means a pass-through loop
_CACHE_LIMIT = 4096


@dataclass(frozen=True)
class Visit:
    """One node rendered within a response."""

    flow: str
    node: str
    type: str
    port: str | None  # the port followed at once; None where the response stops
    heard: tuple[str, ...] = ()  # what the caller hears from this node
    into: str | None = None  # the flow entered (goto_flow)


@dataclass(frozen=True)
class RenderResult:
    twiml: str
    visits: tuple[Visit, ...]
    waits: Waits  # CALLER/PROVIDER: the response awaits `stop`'s result; END: call ends
    stop: tuple[str, str] | None  # (flow, node) whose action URL comes back
    ended: str | None = None  # hangup | unconnected | missing_node | missing_flow | loop

    @property
    def chain(self) -> tuple[tuple[str, str, str | None], ...]:
        return tuple((v.flow, v.node, v.port) for v in self.visits)

    @property
    def heard(self) -> tuple[str, ...]:
        return tuple(h for v in self.visits for h in v.heard)


@dataclass(frozen=True)
class Next:
    """Where a provider result leads: a node (maybe the same one, with new state) or the end."""

    flow: str
    node: str | None  # None: the call ends (see `ended`)
    port: str | None  # None: the node runs again with `state`
    state: Mapping[str, str] = field(default_factory=dict)
    input: str | None = None
    ended: str | None = None  # hangup | unconnected | missing_node


@runtime_checkable
class WaitingNodeType(Protocol):
    def render_wait(
        self,
        node: Node,
        props: Mapping[str, Any],
        params: Mapping[str, str],
        ctx: RenderContext,
        response: VoiceResponse,
    ) -> None: ...


_loaded: dict[int, tuple[Node, NodeType, Mapping[str, Any]]] = {}


def load_node(node: Node) -> tuple[NodeType, Mapping[str, Any]]:
    """The node's type and schema-checked properties, memoised per Node object.

    The cache holds the Node itself, so an id() is never reused while its entry lives.
    """
    hit = _loaded.get(id(node))
    if hit is not None and hit[0] is node:
        return hit[1], hit[2]
    try:
        node_type = registry.get(node.type)
    except registry.UnknownNodeType:
        raise UnknownType(node.id, node.type) from None
    try:
        props = node_type.load(node.props)
    except ValidationError as exc:
        raise InvalidProperties(node.id, exc.messages) from None
    except (TypeError, ValueError) as exc:
        raise InvalidProperties(node.id, str(exc)) from None
    if len(_loaded) >= _CACHE_LIMIT:
        _loaded.clear()
    _loaded[id(node)] = (node, node_type, props)
    return node_type, props


def _node(flow: Flow, node_id: str) -> Node:
    node = flow.nodes.get(node_id) if isinstance(node_id, str) else None
    if node is None:
        raise NodeNotFound(flow.name, str(node_id))
    return node


def _guarded(node: Node, call: Callable[[], Any]) -> Any:
    try:
        return call()
    except FlowError:
        raise
    except NotImplementedError:
        raise InvalidStep(node.id, f"a {node.type} node takes no provider result") from None
    except Exception as exc:
        raise NodeFailed(node.id, exc) from exc


def _naming(ctx: RenderContext) -> tuple[RenderContext, dict[str, str]]:
    """A context whose audio lookups remember each URL's human name, for `heard`."""
    names: dict[str, str] = {}

    def audio(asset_id: str) -> Playable:
        playable = ctx.playable(asset_id)
        if playable.url is not None:
            names[playable.url] = playable.name or asset_id
        return playable

    return replace(ctx, audio=audio), names


def _heard(verbs: Sequence[Any], names: Mapping[str, str]) -> tuple[str, ...]:
    out: list[str] = []
    for verb in verbs:
        if not isinstance(verb, TwiML):
            continue
        if verb.name == "Say":
            out.append(f'"{verb.value}"')
        elif verb.name == "Play":
            out.append(f"audio {names.get(verb.value, verb.value)}")
        elif verb.name == "Gather":
            out.extend(_heard(verb.verbs, names))
    return tuple(out)


def render_step(flow: Flow, node_id: str, ctx: RenderContext) -> RenderResult:
    """Render `node_id` with `ctx.state`, then follow pass-through ports as far as possible."""
    response = VoiceResponse()
    named, names = _naming(ctx)
    flows: Mapping[str, Flow] = {flow.name: flow, **ctx.flows}
    current, node, state = flow, _node(flow, node_id), ctx.state
    visits: list[Visit] = []
    stop: tuple[str, str] | None = None
    waits, ended = Waits.END, None
    for _ in range(MAX_CHAIN):
        node_type, props = load_node(node)
        node_ctx = replace(named, flow=current.name, state=state)
        before = len(response.verbs)
        port = _guarded(node, lambda: node_type.render(node, props, node_ctx, response))  # noqa: B023
        heard = _heard(response.verbs[before:], names)
        target_flow = _guarded(node, lambda: node_type.enters_flow(props))  # noqa: B023
        if target_flow is not None:
            visits.append(Visit(current.name, node.id, node.type, None, heard, target_flow))
            entered = flows.get(target_flow)
            if entered is None or entered.entry not in entered.nodes:
                ended = "missing_flow"
                break
            current, node, state = entered, entered.nodes[entered.entry], {}
            continue
        visits.append(Visit(current.name, node.id, node.type, port, heard))
        if port is None:
            if node_type.waits in (Waits.CALLER, Waits.PROVIDER):
                stop, waits = (current.name, node.id), node_type.waits
            else:
                ended = "hangup" if node_type.waits is Waits.END else "unconnected"
            break
        target = node.ports.get(port)
        if target is None:
            ended = "unconnected"
            break
        if target not in current.nodes:
            ended = "missing_node"
            break
        node, state = current.nodes[target], {}
    else:
        ended = "loop"
    if ended is not None and ended != "hangup":
        response.hangup()
    return RenderResult(str(response), tuple(visits), waits, stop, ended)


def render(flow: Flow, node_id: str, ctx: RenderContext) -> str:
    """The TwiML answering a step URL for `node_id`."""
    return render_step(flow, node_id, ctx).twiml


def transition(flow: Flow, node_id: str, params: Mapping[str, str], ctx: RenderContext) -> Next:
    """Take the provider's result (`params`) on `node_id` whose state is `ctx.state`."""
    if not isinstance(params, Mapping):
        raise InvalidParams("provider parameters must be a mapping")
    node = _node(flow, node_id)
    node_type, props = load_node(node)
    node_ctx = replace(ctx, flow=flow.name)
    result = _guarded(node, lambda: node_type.transition(node, props, params, node_ctx))
    if result.ends:
        return Next(flow.name, None, None, input=result.input, ended="hangup")
    if result.port is None:
        return Next(flow.name, node.id, None, dict(result.state), result.input)
    target = node.ports.get(result.port)
    if target is None or target not in flow.nodes:
        ended = "unconnected" if target is None else "missing_node"
        return Next(flow.name, None, result.port, input=result.input, ended=ended)
    return Next(flow.name, target, result.port, input=result.input)


def _ending(ended: str | None) -> RenderResult:
    response = VoiceResponse()
    response.hangup()
    return RenderResult(str(response), (), Waits.END, None, ended)


def respond_step(
    flow: Flow, node_id: str, params: Mapping[str, str], ctx: RenderContext
) -> tuple[Next, RenderResult]:
    """`transition`, then render where it leads, in one answer (no Redirect round trip)."""
    step = transition(flow, node_id, params, ctx)
    if step.node is None:
        return step, _ending(step.ended)
    return step, render_step(flow, step.node, replace(ctx, state=step.state))


def respond(flow: Flow, node_id: str, params: Mapping[str, str], ctx: RenderContext) -> str:
    """The TwiML answering a node's result URL."""
    return respond_step(flow, node_id, params, ctx)[1].twiml


def wait_step(
    flow: Flow, node_id: str, params: Mapping[str, str], ctx: RenderContext
) -> RenderResult:
    """The queue wait-URL document for `node_id`, with what the waiting caller hears."""
    if not isinstance(params, Mapping):
        raise InvalidParams("provider parameters must be a mapping")
    node = _node(flow, node_id)
    node_type, props = load_node(node)
    if not isinstance(node_type, WaitingNodeType):
        raise InvalidStep(node.id, f"a {node.type} node has no wait step")
    response = VoiceResponse()
    named, names = _naming(replace(ctx, flow=flow.name))
    _guarded(node, lambda: node_type.render_wait(node, props, params, named, response))
    visit = Visit(flow.name, node.id, node.type, None, _heard(response.verbs, names))
    return RenderResult(str(response), (visit,), Waits.PROVIDER, (flow.name, node.id))


def render_wait(flow: Flow, node_id: str, params: Mapping[str, str], ctx: RenderContext) -> str:
    """The TwiML answering a queue's wait URL (hold music, announcements, leaving)."""
    return wait_step(flow, node_id, params, ctx).twiml
