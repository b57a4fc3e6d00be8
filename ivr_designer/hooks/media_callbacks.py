"""Recording, transcription and fax callbacks: hand the media to ``calls.storage``.

A transcription that arrives on its own (the provider's transcribeCallback, after the
recording) is stored and announced as ``voicemail.transcribed``; Telegram messages
sent without it get their caption edited (see ``outbox.enqueue``).
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from twilio.twiml.fax_response import FaxResponse

from flows.errors import InvalidParams
from ivr_designer.calls.operations import open_call
from ivr_designer.calls.storage import MediaRequest, fax_box_id, store_fax, store_voicemail
from ivr_designer.hooks.context import HookEnv, pin
from ivr_designer.hooks.lookup import Route
from ivr_designer.hooks.transactions import begin_writes
from ivr_designer.models import Call, ProviderAccount, Voicemail
from ivr_designer.outbox.enqueue import enqueue_transcription

__all__ = ["fax_into_box", "fax_received", "recording"]


def _int(value: object) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 9 else None


def _call_id(session: Session, params: Mapping[str, str]) -> int | None:
    sid = str(params.get("CallSid", "")).strip()
    if not sid:
        return None
    found: int | None = session.execute(
        select(Call.id).where(Call.call_sid == sid)
    ).scalar_one_or_none()
    return found


def _account(session: Session, route: Route) -> ProviderAccount:
    account = session.execute(
        select(ProviderAccount).where(ProviderAccount.id == route.provider_account_id)
    ).scalar_one()
    return account


def _media_request(
    route: Route, params: Mapping[str, str], sid_key: str, url_key: str, call_id: int | None
) -> MediaRequest:
    sid = str(params.get(sid_key, "")).strip()
    url = str(params.get(url_key, "")).strip()
    if not sid or len(sid) > 64 or not url:
        raise InvalidParams(f"{sid_key} and {url_key} are required")
    return MediaRequest(route.org_id, sid, url, str(params.get("From", "")), call_id)


def recording(
    session: Session,
    route: Route,
    env: HookEnv,
    version_id: int,
    node_id: str,
    params: Mapping[str, str],
    state: Mapping[str, str] | None = None,
) -> None:
    """recordingStatusCallback (and transcribeCallback) of a voicemail node."""
    pinned = pin(session, route, env, version_id)
    node = pinned.loaded.flow.nodes.get(node_id)
    if node is None or node.type != "voicemail":
        raise InvalidParams(f"{node_id!r} is not a voicemail node")
    status = str(params.get("RecordingStatus", "completed")).strip().lower()
    if status not in ("completed", ""):
        return  # absent/failed recordings leave nothing to fetch
    request = _media_request(
        route, params, "RecordingSid", "RecordingUrl", _call_id(session, params)
    )
    stored = store_voicemail(
        session,
        request,
        box_key=str(node.props.get("box", "")),
        duration_s=_int(params.get("RecordingDuration")),
        account=_account(session, route),
        provider_factory=env.provider_factory,
        media_root=env.media_root,
        before_write=lambda: begin_writes(session, relaxed=False),
    )
    text = params.get("TranscriptionText")
    if (
        stored is not None
        and text
        and params.get("TranscriptionStatus", "completed") == "completed"
    ):
        begin_writes(session, relaxed=False)
        value = str(text)[:10000]
        # Conditional, so a repeated callback (or two at once) announces it once.
        changed = session.execute(
            update(Voicemail)
            .where(Voicemail.id == stored.id, Voicemail.transcription.is_distinct_from(value))
            .values(transcription=value)
            .execution_options(synchronize_session=False)
        )
        if getattr(changed, "rowcount", 0):
            session.refresh(stored, ["transcription"])
            enqueue_transcription(session, stored)


def fax_into_box(
    session: Session,
    route: Route,
    env: HookEnv,
    params: Mapping[str, str],
    box_id: int | None,
    call_id: int | None,
) -> None:
    if box_id is None:
        raise InvalidParams("no fax box for this fax")
    if str(params.get("FaxStatus", "received")).strip().lower() != "received":
        return
    store_fax(
        session,
        _media_request(route, params, "FaxSid", "MediaUrl", call_id),
        box_id=box_id,
        pages=_int(params.get("NumPages")),
        account=_account(session, route),
        provider_factory=env.provider_factory,
        media_root=env.media_root,
        before_write=lambda: begin_writes(session, relaxed=False),
    )


def fax_received(session: Session, route: Route, env: HookEnv, params: Mapping[str, str]) -> None:
    """``/hooks/fax/received``: the <Receive> action of the number's fax box."""
    call_id = _call_id(session, params)
    fax_into_box(session, route, env, params, route.fax_box_id, call_id)


def fax_node(
    session: Session,
    route: Route,
    env: HookEnv,
    params: Mapping[str, str],
    box_key: str,
) -> None:
    """A fax node of a voice flow received a fax into its box (by key)."""
    if "FaxSid" in params:
        box_id = fax_box_id(session, route.org_id, box_key)
        fax_into_box(session, route, env, params, box_id, _call_id(session, params))


def incoming_fax(session: Session, route: Route, env: HookEnv, params: Mapping[str, str]) -> str:
    """``POST /hooks/fax``: answer with <Receive> into the number's fax box."""
    if route.fax_box_id is None:
        raise InvalidParams(f"number {route.e164} has no fax box")
    sid = str(params.get("CallSid") or params.get("FaxSid") or "").strip()
    if sid:
        begin_writes(session, relaxed=True)
        open_call(
            session,
            org_id=route.org_id,
            number_id=route.number_id,
            call_sid=sid,
            caller=str(params.get("From", "")),
            called=str(params.get("To", "")),
            flow_version_id=None,
            now=env.now,
        )
    response = FaxResponse()
    response.receive(
        action=f"{env.base}/hooks/fax/received",
        method="POST",
        media_type="application/pdf",
        store_media=True,
    )
    return str(response)
