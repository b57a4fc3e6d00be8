"""``/hooks/``: the provider's webhooks. Verify the signature, parse, hand off, answer.

Every answer is TwiML with status 200 except a failed signature check (403): whatever
goes wrong inside a step is logged and answered with the org's fallback, because a
provider that gets a 5xx plays an error to the caller.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, request
from sqlalchemy.exc import OperationalError

from ivr_designer.calls.operations import StepRecord, apply_status, open_call, record_steps
from ivr_designer.extensions import db
from ivr_designer.hooks import media_callbacks, voice
from ivr_designer.hooks.context import HookEnv, Pinned, context_for
from ivr_designer.hooks.fallback import fallback_twiml, unknown_number_twiml
from ivr_designer.hooks.lookup import Route, find_route, find_route_by_call
from ivr_designer.hooks.transactions import begin_writes
from ivr_designer.hooks.verify import SignatureRejected, verified_base
from ivr_designer.media.views import derived_key
from ivr_designer.models.base import utcnow

log = logging.getLogger(__name__)

blp = Blueprint("hooks", __name__, url_prefix="/hooks")
CACHE_EXTENSION = "ivr_designer.hooks.versions"
AUDIO_EXTENSION = "ivr_designer.hooks.audio"
FACTORY_EXTENSION = "ivr_designer.hooks.provider_factory"
BUSY_ATTEMPTS = 4
EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response />'

Work = Callable[[Route, HookEnv, Mapping[str, str]], str | None]


def _twiml(body: str) -> Response:
    return Response(body, status=200, mimetype="text/xml")


def _params() -> Mapping[str, str]:
    if request.mimetype == "application/json":
        data = request.get_json(silent=True)
        if isinstance(data, dict):
            return {str(k): str(v) for k, v in data.items() if not isinstance(v, dict | list)}
        return {}
    return request.form


def _version(raw: str | None) -> int | None:
    return (
        int(raw) if raw is not None and raw.isascii() and raw.isdigit() and len(raw) < 12 else None
    )


def _env(base: str) -> HookEnv:
    return HookEnv(
        base=base,
        now=utcnow(),
        media_key=derived_key(),
        media_root=Path(current_app.config["MEDIA_FOLDER"]),
        versions=current_app.extensions[CACHE_EXTENSION],
        provider_factory=current_app.extensions[FACTORY_EXTENSION],
        audio=current_app.extensions[AUDIO_EXTENSION],
    )


def _route(params: Mapping[str, str]) -> Route | None:
    to = str(params.get("To", "")).strip()
    if to:
        return find_route(db.session, to)
    return find_route_by_call(db.session, str(params.get("CallSid", "")).strip())


def _note_failure(route: Route, env: HookEnv, params: Mapping[str, str], where: str) -> None:
    """Put the failure into the call's trace (best effort, own transaction)."""
    sid = str(params.get("CallSid", "")).strip()
    if not sid:
        return
    try:
        begin_writes(db.session, relaxed=True)
        handle = open_call(
            db.session,
            org_id=route.org_id,
            number_id=route.number_id,
            call_sid=sid,
            caller=str(params.get("From", "")),
            called=str(params.get("To", "")),
            flow_version_id=None,
            now=env.now,
        )
        flow, _, node = where.partition("/")
        step = StepRecord(flow, node or "-", "error", ended="error")
        record_steps(db.session, route.org_id, handle, [step], now=env.now, duration_ms=None)
        db.session.commit()
    except Exception:
        log.exception("could not record the failure of call %s", sid)
        db.session.rollback()


def _fallback(
    route: Route, env: HookEnv | None, version_id: int | None, params: Mapping[str, str]
) -> str:
    """The apology, then a voicemail of the pinned flow (or the number's current one)."""
    try:
        if env is None:
            return fallback_twiml(route.language)
        for wanted in dict.fromkeys((version_id, route.published_version_id)):
            loaded = env.versions.get(db.session, wanted) if wanted is not None else None
            if loaded is None or loaded.org_id != route.org_id:
                continue
            pinned = Pinned(loaded, {loaded.name: loaded})
            ctx = context_for(db.session, route, env, pinned, params, {})
            return fallback_twiml(route.language, loaded.flow, ctx)
    except Exception:
        log.exception("fallback for number %s failed; hanging up", route.e164)
        db.session.rollback()
    return fallback_twiml(route.language)


def _busy(error: OperationalError) -> bool:
    text = str(error.orig).lower()
    return "locked" in text or "busy" in text


def _run(work: Work, route: Route, env: HookEnv, params: Mapping[str, str]) -> str | None:
    """Run and commit; SQLite's "database is locked" (a writer got in between our read
    and our write) is retried from scratch, as nothing of the attempt was kept."""
    for attempt in range(BUSY_ATTEMPTS):
        try:
            body = work(route, env, params)
            db.session.commit()
            return body
        except OperationalError as error:
            if attempt == BUSY_ATTEMPTS - 1 or not _busy(error):
                raise
            db.session.rollback()
            log.info("webhook %s: database busy, attempt %d", request.path, attempt + 2)
            time.sleep(0.005 * (attempt + 1))
    return None  # pragma: no cover - the loop returns or raises


def _answer(
    work: Work, *, version_id: int | None = None, where: str = "", caller_waits: bool = True
) -> Response:
    """Verify → run ``work`` → commit; any failure becomes the fallback (200)."""
    started = time.perf_counter()
    params: Mapping[str, str] = {}
    default_language = str(current_app.config["HOOKS_DEFAULT_LANGUAGE"])
    try:
        params = _params()
        route = _route(params)
    except Exception:
        log.exception("webhook %s: looking up the number failed", request.path)
        db.session.rollback()
        return _twiml(fallback_twiml(default_language) if caller_waits else EMPTY)
    if route is None:
        if not caller_waits:
            log.warning("webhook %s for an unknown number or call refused", request.path)
            abort(403)
        log.info("call to unknown number %r rejected", params.get("To"))
        return _twiml(unknown_number_twiml(default_language))
    env = None
    try:
        env = _env(verified_base(request, route))
        body = _run(work, route, env, params)
    except SignatureRejected:
        db.session.rollback()
        abort(403)
    except Exception:
        log.exception(
            "webhook %s for %s failed; answering with the fallback", request.path, route.e164
        )
        db.session.rollback()
        if env is not None:
            _note_failure(route, env, params, where)
        body = _fallback(route, env, version_id, params) if caller_waits else None
    log.debug(
        "webhook %s answered in %.1f ms", request.path, (time.perf_counter() - started) * 1000
    )
    return _twiml(body or EMPTY)


def _state() -> dict[str, str]:
    return {key: value for key, value in request.args.items() if len(key) <= 32}


def _pinned_call(
    handler: Callable[..., str | None], raw_version: str, node: str, *, caller_waits: bool = True
) -> Response:
    version_id = _version(raw_version)
    state = _state()

    def work(route: Route, env: HookEnv, params: Mapping[str, str]) -> str | None:
        if version_id is None:
            raise ValueError(f"not a flow version: {raw_version!r}")
        return handler(db.session, route, env, version_id, node, params, state)

    return _answer(
        work, version_id=version_id, where=f"v{raw_version}/{node}", caller_waits=caller_waits
    )


@blp.post("/voice")
def voice_incoming() -> Response:
    return _answer(
        lambda route, env, params: voice.incoming(db.session, route, env, params), where="entry/"
    )


@blp.post("/voice/status")
def voice_status() -> Response:
    def work(route: Route, env: HookEnv, params: Mapping[str, str]) -> None:
        begin_writes(db.session, relaxed=True)
        apply_status(
            db.session,
            str(params.get("CallSid", "")),
            str(params.get("CallStatus", "")),
            params.get("CallDuration"),
            env.now,
        )

    return _answer(work, caller_waits=False)


@blp.post("/voice/<version>/<node>")
def voice_step(version: str, node: str) -> Response:
    return _pinned_call(voice.node_step, version, node)


@blp.post("/voice/<version>/<node>/result")
def voice_result(version: str, node: str) -> Response:
    return _pinned_call(voice.node_result, version, node)


@blp.post("/voice/<version>/<node>/wait")
def voice_wait(version: str, node: str) -> Response:
    return _pinned_call(voice.node_wait, version, node)


@blp.post("/voice/<version>/<node>/recording")
def voice_recording(version: str, node: str) -> Response:
    """recordingStatusCallback and transcribeCallback of a voicemail node."""
    return _pinned_call(media_callbacks.recording, version, node, caller_waits=False)


@blp.post("/fax")
def fax_incoming() -> Response:
    return _answer(
        lambda route, env, params: media_callbacks.incoming_fax(db.session, route, env, params),
        where="fax/",
    )


@blp.post("/fax/received")
def fax_received() -> Response:
    def work(route: Route, env: HookEnv, params: Mapping[str, str]) -> str:
        media_callbacks.fax_received(db.session, route, env, params)
        return EMPTY

    return _answer(work, where="fax/received", caller_waits=False)
