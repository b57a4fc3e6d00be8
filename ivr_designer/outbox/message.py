"""From outbox rows to what a channel needs: the :class:`Notification` and its config.

Runs in the worker with an app context (signed media links need the app's settings).
Secrets are decrypted here, just before the remote call, and never stored elsewhere.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select
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

__all__ = ["MEDIA_WAIT", "Cancel", "Postpone", "Prepared", "prepare"]

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


def _inbox_media() -> Any:
    """``ivr_designer.inbox.media`` (Opus renditions, signed links), if installed."""
    try:
        return importlib.import_module("ivr_designer.inbox.media")
    except ImportError:  # pragma: no cover - the inbox feature ships with the outbox
        return None


def _media_root(app: Flask) -> Path:
    return Path(app.config["MEDIA_FOLDER"])


def _voicemail_fields(
    session: Session, app: Flask, delivery: OutboxDelivery, now: datetime
) -> dict[str, Any]:
    voicemail = session.get(Voicemail, delivery.subject_id)
    if voicemail is None:
        raise Cancel("the voicemail was deleted")
    if (
        delivery.event == "voicemail.created"
        and voicemail.status == "pending_media"
        and now - voicemail.created_at < MEDIA_WAIT
    ):
        raise Postpone("the recording is still being fetched", now + POSTPONE_BY)
    box = session.get(VoicemailBox, voicemail.box_id)
    fields: dict[str, Any] = {
        "occurred_at": voicemail.created_at,
        "object_id": voicemail.id,
        "box_name": box.name if box else "",
        "caller": voicemail.caller,
        "duration_s": voicemail.duration_s,
        "transcription": voicemail.transcription,
    }
    if delivery.event != "voicemail.created" or voicemail.status != "ready":
        return fields
    media = _inbox_media()
    if delivery.channel == "telegram" and media is not None:
        ready = absolute(voicemail.opus_path, _media_root(app))
        if ready is not None:  # made already (the common case): no write needed
            fields["media_path"] = Path(ready)
            fields["media_content_type"] = "audio/ogg"
            return fields
        # End the reading transaction first: making the rendition writes its path, and
        # on SQLite a write must start its transaction (no read-then-write upgrade).
        session.commit()
        try:
            path = media.voicemail_opus(session, voicemail, _media_root(app))
            session.commit()
        except Exception:  # a broken file still deserves the text notification
            session.rollback()
            log.exception("no Opus rendition for voicemail %s", voicemail.id)
            path = None
        if path is not None:
            fields["media_path"] = Path(path)
            fields["media_content_type"] = "audio/ogg"
    elif delivery.channel == "webhook" and media is not None:
        fields["media_url"] = media.signed_media_url("voicemail", voicemail.id)
        fields["media_content_type"] = "audio/wav"
    return fields


def _fax_fields(session: Session, app: Flask, delivery: OutboxDelivery) -> dict[str, Any]:
    fax = session.get(Fax, delivery.subject_id)
    if fax is None:
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


def _call_fields(session: Session, app: Flask, delivery: OutboxDelivery) -> dict[str, Any]:
    """The call record as it is now; ``extra`` carries what has no Notification field."""
    call = session.get(Call, delivery.subject_id)
    if call is None:
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
    session: Session, app: Flask, delivery: OutboxDelivery, now: datetime
) -> dict[str, Any]:
    if delivery.subject_type == "voicemail" and delivery.subject_id is not None:
        return _voicemail_fields(session, app, delivery, now)
    if delivery.subject_type == "fax" and delivery.subject_id is not None:
        return _fax_fields(session, app, delivery)
    if delivery.subject_type == "call" and delivery.subject_id is not None:
        return _call_fields(session, app, delivery)
    return {"occurred_at": delivery.created_at, "object_id": delivery.subject_id}


def _telegram_config(session: Session, app: Flask, delivery: OutboxDelivery) -> dict[str, Any]:
    chat = (
        session.get(TelegramChat, delivery.telegram_chat_id)
        if delivery.telegram_chat_id is not None
        else None
    )
    if chat is None or not chat.active:
        raise Cancel("the Telegram chat was unlinked")
    bot = session.execute(
        select(TelegramBot).where(TelegramBot.org_id == delivery.org_id)
    ).scalar_one_or_none()
    if bot is None:
        raise Cancel("the organisation has no Telegram bot any more")
    return {"bot_token": crypto.decrypt(bot.token_encrypted, app), "chat_id": chat.chat_id}


def _edited_message(
    session: Session, app: Flask, delivery: OutboxDelivery, now: datetime
) -> dict[str, Any]:
    """For a Telegram edit (``voicemail.transcribed``): which message, with which buttons.

    The edit waits while the original is being sent and is dropped when the original
    will carry the text anyway (still pending) or never went out.
    """
    edits = (delivery.payload or {}).get("edits")
    original = session.get(OutboxDelivery, edits) if isinstance(edits, int) else None
    if original is None or original.status in ("dead", "cancelled"):
        raise Cancel("the voice message to edit was never sent")
    if original.status == "pending":
        raise Cancel("the voice message is not sent yet; it will carry the transcription")
    if original.status == "delivering":
        raise Postpone("the voice message is being sent", now + POSTPONE_BY)
    if not (original.remote_id or "").isdigit():
        raise Cancel("the sent message's id is unknown")
    voicemail = session.get(Voicemail, delivery.subject_id)
    if voicemail is None:
        raise Cancel("the voicemail was deleted")
    # Telegram drops the keyboard of an edited message unless it is sent again.
    buttons = buttons_for(session, derive_key(str(app.config["SECRET_KEY"])), voicemail)
    return {
        "message_id": int(original.remote_id or 0),
        "buttons": [(button.text, button.callback_data) for button in buttons],
    }


def _webhook_config(session: Session, app: Flask, delivery: OutboxDelivery) -> dict[str, Any]:
    endpoint = (
        session.get(WebhookEndpoint, delivery.webhook_endpoint_id)
        if delivery.webhook_endpoint_id is not None
        else None
    )
    if endpoint is None:
        raise Cancel("the webhook endpoint was deleted")
    if not endpoint.enabled:
        raise Cancel("the webhook endpoint is disabled")
    return {
        "url": endpoint.url,
        "secret": crypto.decrypt(endpoint.secret_encrypted, app),
        "events": list(endpoint.events or []),
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
    session: Session, app: Flask, delivery: OutboxDelivery, now: datetime | None = None
) -> Prepared:
    """The message and the channel config for ``delivery``; raises Cancel / Postpone."""
    now = now or utcnow()
    if delivery.channel == "telegram":
        config = _telegram_config(session, app, delivery)
        if delivery.event == "voicemail.transcribed":
            config |= _edited_message(session, app, delivery, now)
    elif delivery.channel == "webhook":
        config = _webhook_config(session, app, delivery)
    else:
        config = {}
    fields = _subject_fields(session, app, delivery, now)
    org = session.get(Organisation, delivery.org_id)
    payload = _named(session, {**fields.pop("extra", {}), **(delivery.payload or {})})
    payload.pop("edits", None)  # which Telegram message to edit: config, not content
    text = str(payload.pop("text", "") or "")
    message = Notification(
        event=delivery.event,
        org_id=delivery.org_id,
        org_name=org.name if org else "",
        timezone=org.time_zone if org else "UTC",
        language=org.language if org else "en",
        text=text,
        extra=payload,
        **fields,
    )
    return Prepared(message, config)
