"""What a delivery is turned into: ``load`` (one query) and ``prepare``.

The worker reads a delivery and its context in one joined query; these tests pin down
that the joins pick the right rows (the delivery's own org, chat, endpoint and
subject) and that every missing or switched-off target cancels with its reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from ivr_designer import crypto
from ivr_designer.models import (
    OutboxDelivery,
    TelegramBot,
    TelegramChat,
    Voicemail,
    WebhookEndpoint,
)
from ivr_designer.outbox.enqueue import enqueue_fax, enqueue_voicemail
from ivr_designer.outbox.message import Cancel, Postpone, load, prepare
from tests.ivr_designer.outbox.conftest import BOT_TOKEN, LISTENER_CHAT, deliveries


def _prepared(app, db_session, delivery_id):
    with app.app_context():
        row = load(db_session, delivery_id)
        assert row is not None
        try:
            return prepare(db_session, app, row)
        finally:
            db_session.rollback()


def _only(db_session, **where) -> OutboxDelivery:
    [row] = deliveries(db_session, **where)
    return row


def test_load_answers_none_for_a_delivery_that_is_gone(app, setup, db_session):
    with app.app_context():
        assert load(db_session, 987_654) is None


def test_a_voicemail_for_a_chat_carries_its_box_org_and_the_orgs_own_bot(
    app, setup, db_session, make_org, make_voicemail, webhook_secret
):
    # Another org with its own bot: the join must take the delivery's org's token.
    other = make_org(name="Other A/S")
    db_session.add(
        TelegramBot(
            org_id=other.id,
            token_encrypted=crypto.encrypt("999:other-token", app),
            webhook_secret_encrypted=crypto.encrypt("other", app),
        )
    )
    voicemail = make_voicemail(setup.box, caller="+4587654321", transcription="Ring tilbage")
    enqueue_voicemail(db_session, voicemail)
    db_session.commit()

    chat = _only(db_session, telegram_chat_id=setup.chat.id)
    prepared = _prepared(app, db_session, chat.id)
    assert prepared.config == {"bot_token": BOT_TOKEN, "chat_id": LISTENER_CHAT}
    message = prepared.message
    assert (message.org_name, message.timezone, message.language) == (
        "Delta ApS",
        "Europe/Copenhagen",
        "en",
    )
    assert (message.box_name, message.caller, message.transcription) == (
        "Main line",
        "+4587654321",
        "Ring tilbage",
    )
    assert (message.object_id, message.occurred_at) == (voicemail.id, voicemail.created_at)
    # No rendition yet: preparing made one from the WAV and stored its path.
    assert message.media_content_type == "audio/ogg"
    assert Path(message.media_path).read_bytes().startswith(b"OggS")
    db_session.expire_all()
    assert db_session.get(Voicemail, voicemail.id).opus_path is not None

    hook = _only(db_session, channel="webhook")
    prepared = _prepared(app, db_session, hook.id)
    assert prepared.config["url"] == setup.endpoint.url
    assert prepared.config["events"] == ["voicemail.created", "fax.received"]
    assert prepared.config["secret"] == webhook_secret
    assert f"/media/signed/v.{voicemail.id}." in str(prepared.message.media_url)


def test_a_fax_is_described_by_the_fax_and_its_box(app, setup, db_session, make_fax):
    fax = make_fax(setup.fax_box, pages=3, caller="+4533445566")
    enqueue_fax(db_session, fax)
    db_session.commit()
    message = _prepared(app, db_session, _only(db_session, channel="telegram").id).message
    assert (message.object_id, message.box_name, message.caller, message.pages) == (
        fax.id,
        "Fax in",
        "+4533445566",
        3,
    )
    assert message.media_content_type == "application/pdf"
    assert Path(message.media_path).read_bytes().startswith(b"%PDF")
    assert message.duration_s is None


def _stored(db_session, make_voicemail, setup, **fields):
    voicemail = make_voicemail(setup.box, **fields)
    enqueue_voicemail(db_session, voicemail)
    db_session.commit()
    return voicemail


@pytest.mark.parametrize(
    ("change", "channel", "reason"),
    [
        ("chat_unlinked", "telegram", "the Telegram chat was unlinked"),
        ("chat_deleted", "telegram", "the Telegram chat was unlinked"),
        ("bot_deleted", "telegram", "the organisation has no Telegram bot any more"),
        ("endpoint_disabled", "webhook", "the webhook endpoint is disabled"),
        ("voicemail_deleted", "telegram", "the voicemail was deleted"),
        ("voicemail_deleted", "webhook", "the voicemail was deleted"),
    ],
)
def test_a_target_or_subject_that_is_gone_cancels_with_its_reason(
    app, setup, db_session, make_voicemail, change, channel, reason
):
    voicemail = _stored(db_session, make_voicemail, setup)
    row = (
        _only(db_session, telegram_chat_id=setup.chat.id)
        if channel == "telegram"
        else _only(db_session, channel="webhook")
    )
    if change == "chat_unlinked":
        setup.chat.active = False
    elif change == "chat_deleted":
        db_session.execute(delete(TelegramChat).where(TelegramChat.id == setup.chat.id))
    elif change == "bot_deleted":
        db_session.execute(delete(TelegramBot).where(TelegramBot.org_id == setup.org.id))
    elif change == "endpoint_disabled":
        setup.endpoint.enabled = False
    else:
        db_session.execute(delete(Voicemail).where(Voicemail.id == voicemail.id))
    db_session.commit()
    with pytest.raises(Cancel, match=reason):
        _prepared(app, db_session, row.id)


def test_a_deleted_endpoint_takes_its_deliveries_with_it(app, setup, db_session, make_voicemail):
    _stored(db_session, make_voicemail, setup)
    hook = _only(db_session, channel="webhook")
    db_session.execute(delete(WebhookEndpoint).where(WebhookEndpoint.id == setup.endpoint.id))
    db_session.commit()
    with app.app_context():
        assert load(db_session, hook.id) is None
    assert (
        db_session.execute(select(OutboxDelivery.id).where(OutboxDelivery.id == hook.id)).all()
        == []
    )


def test_a_recording_still_being_fetched_postpones_the_voice_message(
    app, setup, db_session, make_voicemail
):
    _stored(db_session, make_voicemail, setup, with_media=False)
    row = _only(db_session, telegram_chat_id=setup.chat.id)
    with pytest.raises(Postpone, match="still being fetched"):
        _prepared(app, db_session, row.id)


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("chat", "the Telegram chat was unlinked"),
        ("endpoint", "the webhook endpoint was deleted"),
        ("voicemail", "the voicemail was deleted"),
        ("fax", "the fax was deleted"),
    ],
)
def test_a_delivery_never_reaches_into_another_org(
    app, setup, db_session, make_org, make_box, make_voicemail, make_fax, target, reason
):
    """The worker has no tenant scope: an id pointing into another org finds nothing."""
    other = make_org(name="Other A/S")
    other_box = make_box(other, "vm-other")
    other_chat = TelegramChat(
        org_id=other.id, chat_id=424242, chat_type="group", voicemail_box_id=other_box.id
    )
    other_endpoint = WebhookEndpoint(
        org_id=other.id,
        url="https://hooks.other.example/ivr",
        secret_encrypted=crypto.encrypt("other-secret", app),
        events=["voicemail.created"],
    )
    db_session.add_all([other_chat, other_endpoint])
    other_voicemail = make_voicemail(other_box)
    other_fax = make_fax(make_box(other, "fax-other", kind="fax"))
    if target == "fax":
        enqueue_fax(db_session, make_fax(setup.fax_box))
    else:
        _stored(db_session, make_voicemail, setup)
    db_session.commit()
    channel = "webhook" if target == "endpoint" else "telegram"
    row = deliveries(db_session, channel=channel)[0]
    stray = {
        "chat": {"telegram_chat_id": other_chat.id},
        "endpoint": {"webhook_endpoint_id": other_endpoint.id},
        "voicemail": {"subject_id": other_voicemail.id},
        "fax": {"subject_id": other_fax.id},
    }[target]
    db_session.execute(update(OutboxDelivery).where(OutboxDelivery.id == row.id).values(**stray))
    db_session.commit()
    with pytest.raises(Cancel, match=reason):
        _prepared(app, db_session, row.id)
