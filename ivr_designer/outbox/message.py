"""From outbox rows to what a channel needs: the :class:`Notification` and its config.

Runs in the worker with an app context (signed media links need the app's settings).
Secrets are decrypted here, just before the remote call, and never stored elsewhere.

:func:`load` reads a delivery with what the common messages need (its chat, the org's
bot, its endpoint, the org, the voicemail and its box) in one Core query: one round
trip and no ORM objects instead of six ORM lookups. Those took a third of a delivery's
CPU, on the same CPUs as the call webhooks. Rarer subjects (faxes, calls,
transcription edits) still load what they need through the ORM.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeAlias

from flask import Flask
from sqlalchemy import Row, and_, bindparam, select
from sqlalchemy.orm import Session

from integrations.notify.base import Notification
from integrations.notify.telegram_links import derive_key
from ivr_designer import crypto
from ivr_designer.audio_lib.storage import absolute
from ivr_designer.models import (
    Call,
    Fax,
    FaxBox,
    Flow,
    FlowVersion,
    Organisation,
    OutboxDelivery,
    TelegramBot,
    TelegramChat,
    User,
    Voicemail,
    VoicemailBox,
    WebhookEndpoint,
)
from ivr_designer.models.base import utcnow
from ivr_designer.telegram.incoming import buttons_for

__all__ = ["MEDIA_WAIT", "Cancel", "Postpone", "Prepared", "load", "prepare"]

log = logging.getLogger(__name__)

#: How long a voicemail whose recording is still being fetched may wait for it before
#: staff get the text alone (the media retry job runs every few minutes).
MEDIA_WAIT = timedelta(minutes=5)
POSTPONE_BY = timedelta(seconds=30)


class Cancel(Exception):
    """The subject or the target is gone: the delivery can never happen."""


class Postpone(Exception):
    """Not yet (media still downloading); try again at ``until`` without counting a try."""

    def __init__(self, reason: str, until: datetime) -> None:
        super().__init__(reason)
        self.until = until


@dataclass(frozen=True)
class Prepared:
    message: Notification
    config: dict[str, Any]


#: A row of :data:`_LOAD`: a delivery and its context.
Loaded: TypeAlias = Row[*tuple[Any, ...]]

#: One delivery and its context. Columns of joined rows are prefixed with their table
#: (``chat_``, ``bot_``, ``endpoint_``, ``org_``, ``vm_``, ``box_``): NULL when absent.
#: Every joined row must belong to the delivery's org: the worker runs without a tenant
#: scope, so a stray id (which enqueueing never writes) finds nothing rather than another
#: org's chat, endpoint or voicemail. The same holds for the ORM lookups below.
_LOAD = (
    select(
        OutboxDelivery.id,
        OutboxDelivery.status,
        OutboxDelivery.org_id,
        OutboxDelivery.event,
        OutboxDelivery.channel,
        OutboxDelivery.subject_type,
        OutboxDelivery.subject_id,
        OutboxDelivery.telegram_chat_id,
        OutboxDelivery.webhook_endpoint_id,
        OutboxDelivery.idempotency_key,
        OutboxDelivery.payload,
        OutboxDelivery.created_at,
        TelegramChat.active.label("chat_active"),
        TelegramChat.chat_id.label("chat_chat_id"),
        TelegramBot.token_encrypted.label("bot_token_encrypted"),
        WebhookEndpoint.url.label("endpoint_url"),
        WebhookEndpoint.enabled.label("endpoint_enabled"),
        WebhookEndpoint.secret_encrypted.label("endpoint_secret_encrypted"),
        WebhookEndpoint.events.label("endpoint_events"),
        Organisation.name.label("org_name"),
        Organisation.time_zone.label("org_time_zone"),
        Organisation.language.label("org_language"),
        Voicemail.id.label("vm_id"),
        Voicemail.status.label("vm_status"),
        Voicemail.created_at.label("vm_created_at"),
        Voicemail.caller.label("vm_caller"),
        Voicemail.duration_s.label("vm_duration_s"),
        Voicemail.transcription.label("vm_transcription"),
        Voicemail.opus_path.label("vm_opus_path"),
        VoicemailBox.name.label("box_name"),
    )
    .select_from(OutboxDelivery)
    .outerjoin(
        TelegramChat,
        and_(
            TelegramChat.id == OutboxDelivery.telegram_chat_id,
            TelegramChat.org_id == OutboxDelivery.org_id,
        ),
    )
    .outerjoin(  # one bot per org (unique); only a Telegram delivery needs it
        TelegramBot,
        and_(OutboxDelivery.channel == "telegram", TelegramBot.org_id == OutboxDelivery.org_id),
    )
    .outerjoin(
        WebhookEndpoint,
        and_(
            WebhookEndpoint.id == OutboxDelivery.webhook_endpoint_id,
            WebhookEndpoint.org_id == OutboxDelivery.org_id,
        ),
    )
    .outerjoin(Organisation, Organisation.id == OutboxDelivery.org_id)
    .outerjoin(
        Voicemail,
        and_(
            OutboxDelivery.subject_type == "voicemail",
            Voicemail.id == OutboxDelivery.subject_id,
            Voicemail.org_id == OutboxDelivery.org_id,
        ),
    )
    .outerjoin(
        VoicemailBox,
        and_(VoicemailBox.id == Voicemail.box_id, VoicemailBox.org_id == Voicemail.org_id),
    )
    .where(OutboxDelivery.id == bindparam("delivery_id"))
)


def load(session: Session, delivery_id: int) -> Loaded | None:
    """The delivery with its context (see the module docstring), or None if it is gone.

    Runs on the session's connection, past the ORM: the worker's session has no tenant
    scope to apply, and rows are all it needs.
    """
    return session.connection().execute(_LOAD, {"delivery_id": delivery_id}).one_or_none()


def _inbox_media() -> Any:
    """``ivr_designer.inbox.media`` (Opus renditions, signed links), if installed."""
    try:
        return importlib.import_module("ivr_designer.inbox.media")
    except ImportError:  # pragma: no cover - the inbox feature ships with the outbox
        return None


def _media_root(app: Flask) -> Path:
    return Path(app.config["MEDIA_FOLDER"])


def _voicemail_fields(
    session: Session, app: Flask, delivery: Loaded, now: datetime
) -> dict[str, Any]:
    if delivery.vm_id is None:
        raise Cancel("the voicemail was deleted")
    if (
        delivery.event == "voicemail.created"
        and delivery.vm_status == "pending_media"
        and now - delivery.vm_created_at < MEDIA_WAIT
    ):
        raise Postpone("the recording is still being fetched", now + POSTPONE_BY)
    fields: dict[str, Any] = {
        "occurred_at": delivery.vm_created_at,
        "object_id": delivery.vm_id,
        "box_name": delivery.box_name or "",
        "caller": delivery.vm_caller,
        "duration_s": delivery.vm_duration_s,
        "transcription": delivery.vm_transcription,
    }
    if delivery.event != "voicemail.created" or delivery.vm_status != "ready":
        return fields
    media = _inbox_media()
    if delivery.channel == "telegram" and media is not None:
        ready = absolute(delivery.vm_opus_path, _media_root(app))
        if ready is not None:  # made already (the common case): no write needed
            fields["media_path"] = Path(ready)
            fields["media_content_type"] = "audio/ogg"
            return fields
        # The rendition is made from the ORM object, read here. Then the reading
        # transaction ends: making the rendition writes its path, and on SQLite a write
        # must start its transaction (no read-then-write upgrade).
        voicemail = session.get(Voicemail, delivery.vm_id)
        session.commit()
        if voicemail is None:
            raise Cancel("the voicemail was deleted")
        try:
            path = media.voicemail_opus(session, voicemail, _media_root(app))
            session.commit()
        except Exception:  # a broken file still deserves the text notification
            session.rollback()
            log.exception("no Opus rendition for voicemail %s", delivery.vm_id)
            path = None
        if path is not None:
            fields["media_path"] = Path(path)
            fields["media_content_type"] = "audio/ogg"
    elif delivery.channel == "webhook" and media is not None:
        fields["media_url"] = media.signed_media_url("voicemail", delivery.vm_id)
        fields["media_content_type"] = "audio/wav"
    return fields


def _fax_fields(session: Session, app: Flask, delivery: Loaded) -> dict[str, Any]:
    fax = session.get(Fax, delivery.subject_id)
    if fax is None or fax.org_id != delivery.org_id:
        raise Cancel("the fax was deleted")
    box = session.get(FaxBox, fax.box_id)
    fields: dict[str, Any] = {
        "occurred_at": fax.created_at,
        "object_id": fax.id,
        "box_name": box.name if box else "",
        "caller": fax.caller,
        "pages": fax.pages,
    }
    if fax.status == "ready" and fax.media_path:
        if delivery.channel == "telegram":
            fields["media_path"] = _media_root(app) / fax.media_path
            fields["media_content_type"] = "application/pdf"
        else:
            media = _inbox_media()
            if media is not None:
                fields["media_url"] = media.signed_media_url("fax", fax.id)
                fields["media_content_type"] = "application/pdf"
    return fields


def _call_fields(session: Session, app: Flask, delivery: Loaded) -> dict[str, Any]:
    """The call record as it is now; ``extra`` carries what has no Notification field."""
    call = session.get(Call, delivery.subject_id)
    if call is None or call.org_id != delivery.org_id:
        raise Cancel("the call record was deleted")
    version = session.get(FlowVersion, call.flow_version_id) if call.flow_version_id else None
    flow = session.get(Flow, version.flow_id) if version is not None else None
    base = str(app.config["PUBLIC_BASE_URL"]).rstrip("/")
    return {
        "occurred_at": call.ended_at or call.started_at,
        "object_id": call.id,
        "caller": call.caller,
        "duration_s": call.duration_s,
        "extra": {
            "called": call.called,
            "started_at": call.started_at.isoformat(),
            "ended_at": call.ended_at.isoformat() if call.ended_at else None,
            "outcome": call.outcome,
            "provider_status": call.provider_status,
            "flow": None
            if version is None
            else {
                "id": version.flow_id,
                "name": flow.name if flow is not None else None,
                "version_id": version.id,
                "version": version.number,
            },
            "url": f"{base}/api/calls/{call.id}",
        },
    }


def _subject_fields(
    session: Session, app: Flask, delivery: Loaded, now: datetime
) -> dict[str, Any]:
    if delivery.subject_type == "voicemail" and delivery.subject_id is not None:
        return _voicemail_fields(session, app, delivery, now)
    if delivery.subject_type == "fax" and delivery.subject_id is not None:
        return _fax_fields(session, app, delivery)
    if delivery.subject_type == "call" and delivery.subject_id is not None:
        return _call_fields(session, app, delivery)
    return {"occurred_at": delivery.created_at, "object_id": delivery.subject_id}


def _telegram_config(app: Flask, delivery: Loaded) -> dict[str, Any]:
    if not delivery.chat_active:  # NULL: no such chat (any more)
        raise Cancel("the Telegram chat was unlinked")
    if delivery.bot_token_encrypted is None:
        raise Cancel("the organisation has no Telegram bot any more")
    return {
        "bot_token": crypto.decrypt(delivery.bot_token_encrypted, app),
        "chat_id": delivery.chat_chat_id,
    }


def _edited_message(
    session: Session, app: Flask, delivery: Loaded, now: datetime
) -> dict[str, Any]:
    """For a Telegram edit (``voicemail.transcribed``): which message, with which buttons.

    The edit waits while the original is being sent and is dropped when the original
    will carry the text anyway (still pending) or never went out.
    """
    edits = (delivery.payload or {}).get("edits")
    original = session.get(OutboxDelivery, edits) if isinstance(edits, int) else None
    if (
        original is None
        or original.org_id != delivery.org_id
        or original.status in ("dead", "cancelled")
    ):
        raise Cancel("the voice message to edit was never sent")
    if original.status == "pending":
        raise Cancel("the voice message is not sent yet; it will carry the transcription")
    if original.status == "delivering":
        raise Postpone("the voice message is being sent", now + POSTPONE_BY)
    if not (original.remote_id or "").isdigit():
        raise Cancel("the sent message's id is unknown")
    # The joined row says whether the voicemail is there (in this org); the buttons
    # need the ORM object.
    voicemail = session.get(Voicemail, delivery.vm_id) if delivery.vm_id is not None else None
    if voicemail is None:
        raise Cancel("the voicemail was deleted")
    # Telegram drops the keyboard of an edited message unless it is sent again.
    buttons = buttons_for(session, derive_key(str(app.config["SECRET_KEY"])), voicemail)
    return {
        "message_id": int(original.remote_id or 0),
        "buttons": [(button.text, button.callback_data) for button in buttons],
    }


def _webhook_config(app: Flask, delivery: Loaded) -> dict[str, Any]:
    if delivery.endpoint_url is None:
        raise Cancel("the webhook endpoint was deleted")
    if not delivery.endpoint_enabled:
        raise Cancel("the webhook endpoint is disabled")
    return {
        "url": delivery.endpoint_url,
        "secret": crypto.decrypt(delivery.endpoint_secret_encrypted, app),
        "events": list(delivery.endpoint_events or []),
    }


def _named(session: Session, payload: dict[str, Any]) -> dict[str, Any]:
    """People in a payload are stored as ids and named now, when the message is sent.

    So erasing a user leaves no name in the outbox; one deleted before the send is
    sent with no name.
    """
    person = payload.get("handled_by")
    if isinstance(person, dict) and isinstance(person.get("id"), int):
        name = session.execute(
            select(User.name)
            .where(User.id == person["id"])
            .execution_options(skip_tenant_scope=True)
        ).scalar_one_or_none()
        payload["handled_by"] = {**person, "name": name}
    return payload


def prepare(
    session: Session, app: Flask, delivery: Loaded, now: datetime | None = None
) -> Prepared:
    """The message and the channel config for ``delivery`` (a row from :func:`load`);
    raises Cancel / Postpone."""
    now = now or utcnow()
    if delivery.channel == "telegram":
        config = _telegram_config(app, delivery)
        if delivery.event == "voicemail.transcribed":
            config |= _edited_message(session, app, delivery, now)
    elif delivery.channel == "webhook":
        config = _webhook_config(app, delivery)
    else:
        config = {}
    fields = _subject_fields(session, app, delivery, now)
    payload = _named(session, {**fields.pop("extra", {}), **(delivery.payload or {})})
    payload.pop("edits", None)  # which Telegram message to edit: config, not content
    text = str(payload.pop("text", "") or "")
    message = Notification(
        event=delivery.event,
        org_id=delivery.org_id,
        org_name=delivery.org_name or "",
        timezone=delivery.org_time_zone or "UTC",
        language=delivery.org_language or "en",
        text=text,
        extra=payload,
        **fields,
    )
    return Prepared(message, config)
