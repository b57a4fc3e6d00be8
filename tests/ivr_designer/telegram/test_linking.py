"""Linking chats: one-time deep links, ``/start <token>`` in a private chat or a group,
``/stop``, unlinking from the app, and the admins' list of chats."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select, update

from ivr_designer.models import AuditEntry, TelegramChat, TelegramLinkToken
from tests.ivr_designer.telegram.conftest import message_update


def _token(deep_link: str) -> str:
    query = parse_qs(urlsplit(deep_link).query)
    (values,) = query.values()
    return values[0]


def _chats(db_session):
    db_session.expire_all()
    return list(db_session.execute(select(TelegramChat).order_by(TelegramChat.id)).scalars())


def _replies(fake_telegram, chat_id):
    return [
        c.fields["text"]
        for c in fake_telegram.fake.calls("sendMessage")
        if c.fields["chat_id"] == str(chat_id)
    ]


@pytest.fixture
def staff(make_user, org):
    return make_user(org, name="Bo Staff")


def test_link_me_gives_a_one_time_deep_link_and_stores_only_its_hash(
    setup_bot, client, bearer, staff, db_session
):
    setup_bot()
    before = datetime.now(UTC)
    response = client.post("/api/me/telegram/link", headers=bearer(staff))
    assert response.status_code == 201
    link = response.json["deep_link"]
    assert link.startswith("https://t.me/ivr_test_bot?start=")
    token = _token(link)
    expires = datetime.fromisoformat(response.json["expires_at"])
    assert timedelta(minutes=29) < expires - before <= timedelta(minutes=31)
    row = db_session.execute(select(TelegramLinkToken)).scalar_one()
    assert row.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    assert row.user_id == staff.id
    assert row.used_at is None
    assert token not in repr([getattr(row, c.key) for c in row.__table__.columns])


def test_link_without_a_bot_is_a_409(client, bearer, staff):
    response = client.post("/api/me/telegram/link", headers=bearer(staff))
    assert response.status_code == 409
    assert set(response.json) == {"error", "fields"}


def test_start_links_the_private_chat_and_replies(
    setup_bot, client, bearer, staff, org, post_update, fake_telegram, db_session
):
    secret = setup_bot()
    fake_telegram.fake.chats[5001] = "ok"
    token = _token(client.post("/api/me/telegram/link", headers=bearer(staff)).json["deep_link"])

    response = post_update(
        org, message_update(f"/start {token}", chat_id=5001, first_name="Bo"), secret
    )

    assert response.status_code == 200
    (chat,) = _chats(db_session)
    assert (chat.user_id, chat.chat_id, chat.chat_type, chat.active) == (
        staff.id,
        5001,
        "private",
        True,
    )
    assert chat.title == "Bo"
    assert "Linked to Bo Staff" in _replies(fake_telegram, 5001)[0]
    assert db_session.execute(select(TelegramLinkToken)).scalar_one().used_at is not None
    mine = client.get("/api/me/telegram", headers=bearer(staff)).json
    assert mine["linked"] is True
    assert mine["chat_title"] == "Bo"
    assert mine["linked_at"] is not None

    # The token worked once: a second /start with it links nothing more.
    post_update(org, message_update(f"/start {token}", chat_id=5002), secret)
    assert len(_chats(db_session)) == 1
    fake_telegram.fake.chats[5002] = "ok"
    post_update(org, message_update(f"/start {token}", chat_id=5002), secret)
    assert "expired or was already used" in _replies(fake_telegram, 5002)[-1]


def test_expired_and_unknown_tokens_link_nothing(
    setup_bot, client, bearer, staff, org, post_update, fake_telegram, db_session
):
    secret = setup_bot()
    fake_telegram.fake.chats[5003] = "ok"
    token = _token(client.post("/api/me/telegram/link", headers=bearer(staff)).json["deep_link"])
    db_session.execute(
        update(TelegramLinkToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    )
    db_session.commit()

    post_update(org, message_update(f"/start {token}", chat_id=5003), secret)
    post_update(org, message_update("/start NoSuchToken123", chat_id=5003), secret)
    post_update(org, message_update("/start", chat_id=5003), secret)

    assert _chats(db_session) == []
    replies = _replies(fake_telegram, 5003)
    assert len(replies) == 3
    assert "expired" in replies[0]
    assert "expired" in replies[1]
    assert "Link Telegram" in replies[2]
    assert client.get("/api/me/telegram", headers=bearer(staff)).json["linked"] is False


def test_a_token_of_another_org_does_not_work_here(
    setup_bot, client, bearer, make_org, make_user, org, post_update, fake_telegram, db_session
):
    secret = setup_bot()
    other = make_org()
    db_session.add(
        TelegramLinkToken(
            org_id=other.id,
            token_sha256=hashlib.sha256(b"ForeignToken123").hexdigest(),
            user_id=make_user(other).id,
            expires_at=datetime.now(UTC) + timedelta(minutes=5),
        )
    )
    db_session.commit()
    post_update(org, message_update("/start ForeignToken123", chat_id=5004), secret)
    assert _chats(db_session) == []


def test_relinking_replaces_the_private_chat(
    setup_bot, client, bearer, staff, org, post_update, fake_telegram, db_session
):
    secret = setup_bot()
    for chat_id in (5010, 5011):
        token = _token(
            client.post("/api/me/telegram/link", headers=bearer(staff)).json["deep_link"]
        )
        post_update(org, message_update(f"/start {token}", chat_id=chat_id), secret)
    first, second = _chats(db_session)
    assert (first.chat_id, first.active) == (5010, False)
    assert first.unlinked_at is not None
    assert (second.chat_id, second.active) == (5011, True)


def test_one_telegram_account_links_one_person(
    setup_bot, client, bearer, staff, make_user, org, post_update, db_session
):
    secret = setup_bot()
    colleague = make_user(org, name="Cy")
    for person in (staff, colleague):
        token = _token(
            client.post("/api/me/telegram/link", headers=bearer(person)).json["deep_link"]
        )
        post_update(org, message_update(f"/start {token}", chat_id=5020), secret)
    active = [c for c in _chats(db_session) if c.active]
    assert [c.user_id for c in active] == [colleague.id]


def test_a_personal_link_does_not_work_in_a_group(
    setup_bot, client, bearer, staff, org, post_update, fake_telegram, db_session
):
    secret = setup_bot()
    fake_telegram.fake.chats[-5030] = "ok"
    token = _token(client.post("/api/me/telegram/link", headers=bearer(staff)).json["deep_link"])
    post_update(
        org,
        message_update(f"/start@ivr_test_bot {token}", chat_id=-5030, chat_type="group", from_id=9),
        secret,
    )
    assert _chats(db_session) == []
    assert "private chat" in _replies(fake_telegram, -5030)[0]


@pytest.mark.parametrize(
    ("kind", "column"), [("voicemail", "voicemail_box_id"), ("fax", "fax_box_id")]
)
def test_a_box_link_links_a_group_chat(
    setup_bot,
    client,
    bearer,
    admin,
    org,
    make_box,
    post_update,
    fake_telegram,
    db_session,
    kind,
    column,
):
    secret = setup_bot()
    box = make_box(org, kind=kind, name="Sales")
    path = (
        f"/api/{'voicemail-boxes' if kind == 'voicemail' else 'fax-boxes'}/{box.id}/telegram-link"
    )
    response = client.post(path, headers=bearer(admin))
    assert response.status_code == 201
    link = response.json["deep_link"]
    assert link.startswith("https://t.me/ivr_test_bot?startgroup=")
    token = _token(link)
    fake_telegram.fake.chats[-5040] = "ok"

    # Opened in a private chat, the group link links nothing.
    post_update(org, message_update(f"/start {token}", chat_id=5041), secret)
    assert _chats(db_session) == []

    update_ = message_update(
        f"/start@ivr_test_bot {token}",
        chat_id=-5040,
        chat_type="supergroup",
        from_id=77,
        title="Sales desk",
    )
    assert post_update(org, update_, secret).status_code == 200
    (chat,) = _chats(db_session)
    assert getattr(chat, column) == box.id
    assert chat.user_id is None
    assert (chat.chat_type, chat.title, chat.active) == ("supergroup", "Sales desk", True)
    assert "This group now gets" in _replies(fake_telegram, -5040)[0]
    audit = db_session.execute(
        select(AuditEntry).where(AuditEntry.action == "telegram_link")
    ).scalar_one()
    assert audit.object_id == str(box.id)
    assert token not in str(audit.after)


def test_a_command_for_another_bot_is_ignored(
    setup_bot, client, bearer, admin, org, make_box, post_update, fake_telegram, db_session
):
    secret = setup_bot()
    box = make_box(org)
    token = _token(
        client.post(f"/api/voicemail-boxes/{box.id}/telegram-link", headers=bearer(admin)).json[
            "deep_link"
        ]
    )
    update_ = message_update(f"/start@some_other_bot {token}", chat_id=-5050, chat_type="group")
    assert post_update(org, update_, secret).status_code == 200
    assert _chats(db_session) == []
    assert fake_telegram.fake.calls("sendMessage") == []


def test_stop_ends_every_link_of_the_chat(
    setup_bot, client, bearer, staff, org, post_update, fake_telegram, db_session
):
    secret = setup_bot()
    fake_telegram.fake.chats[5060] = "ok"
    token = _token(client.post("/api/me/telegram/link", headers=bearer(staff)).json["deep_link"])
    post_update(org, message_update(f"/start {token}", chat_id=5060), secret)

    assert post_update(org, message_update("/stop", chat_id=5060), secret).status_code == 200
    (chat,) = _chats(db_session)
    assert chat.active is False
    assert chat.unlinked_at is not None
    assert "Unlinked" in _replies(fake_telegram, 5060)[-1]
    assert client.get("/api/me/telegram", headers=bearer(staff)).json["linked"] is False

    post_update(org, message_update("/stop", chat_id=5060), secret)
    assert "not linked" in _replies(fake_telegram, 5060)[-1]


def test_removing_the_bot_from_a_group_ends_its_links(
    setup_bot, client, bearer, admin, org, make_box, post_update, db_session
):
    secret = setup_bot()
    box = make_box(org)
    token = _token(
        client.post(f"/api/voicemail-boxes/{box.id}/telegram-link", headers=bearer(admin)).json[
            "deep_link"
        ]
    )
    post_update(org, message_update(f"/start {token}", chat_id=-5070, chat_type="group"), secret)
    left = message_update("", chat_id=-5070, chat_type="group")
    del left["message"]["text"]
    left["message"]["left_chat_member"] = {
        "id": 4242,
        "is_bot": True,
        "first_name": "IVR",
        "username": "ivr_test_bot",
    }
    assert post_update(org, left, secret).status_code == 200
    assert _chats(db_session)[0].active is False


def test_a_group_that_becomes_a_supergroup_keeps_its_link(
    setup_bot, client, bearer, admin, org, make_box, post_update, db_session
):
    secret = setup_bot()
    box = make_box(org)
    token = _token(
        client.post(f"/api/voicemail-boxes/{box.id}/telegram-link", headers=bearer(admin)).json[
            "deep_link"
        ]
    )
    post_update(org, message_update(f"/start {token}", chat_id=-5080, chat_type="group"), secret)
    migrated = message_update("", chat_id=-5080, chat_type="group")
    del migrated["message"]["text"]
    migrated["message"]["migrate_to_chat_id"] = -1005080
    post_update(org, migrated, secret)
    (chat,) = _chats(db_session)
    assert (chat.chat_id, chat.chat_type, chat.active) == (-1005080, "supergroup", True)


def test_unlink_me_from_the_app(setup_bot, client, bearer, staff, org, post_update, db_session):
    secret = setup_bot()
    token = _token(client.post("/api/me/telegram/link", headers=bearer(staff)).json["deep_link"])
    post_update(org, message_update(f"/start {token}", chat_id=5090), secret)
    assert client.delete("/api/me/telegram", headers=bearer(staff)).status_code == 204
    (chat,) = _chats(db_session)
    assert chat.active is False
    assert client.delete("/api/me/telegram", headers=bearer(staff)).status_code == 204


def test_admins_list_and_end_links(
    setup_bot,
    client,
    bearer,
    admin,
    staff,
    org,
    make_box,
    make_org,
    make_user,
    post_update,
    db_session,
):
    secret = setup_bot()
    box = make_box(org, name="Sales")
    token = _token(client.post("/api/me/telegram/link", headers=bearer(staff)).json["deep_link"])
    post_update(org, message_update(f"/start {token}", chat_id=5100), secret)
    group = _token(
        client.post(f"/api/voicemail-boxes/{box.id}/telegram-link", headers=bearer(admin)).json[
            "deep_link"
        ]
    )
    post_update(
        org,
        message_update(f"/start {group}", chat_id=-5100, chat_type="group", title="Desk"),
        secret,
    )

    listed = client.get("/api/telegram/chats", headers=bearer(admin)).json
    by_type = {c["chat_type"]: c for c in listed}
    assert by_type["private"]["user"] == {"id": staff.id, "name": "Bo Staff"}
    assert by_type["private"]["voicemail_box"] is None
    assert by_type["group"]["voicemail_box"] == {"id": box.id, "name": "Sales"}
    assert by_type["group"]["title"] == "Desk"
    assert "chat_id" not in by_type["group"]

    chat_id = by_type["group"]["id"]
    assert client.delete(f"/api/telegram/chats/{chat_id}", headers=bearer(staff)).status_code == 403
    other_admin = make_user(make_org(), role="org_admin")
    assert (
        client.delete(f"/api/telegram/chats/{chat_id}", headers=bearer(other_admin)).status_code
        == 404
    )
    assert client.get("/api/telegram/chats", headers=bearer(other_admin)).json == []

    assert client.delete(f"/api/telegram/chats/{chat_id}", headers=bearer(admin)).status_code == 204
    ended = {c.id: c for c in _chats(db_session)}[chat_id]
    assert ended.active is False
    listed = client.get("/api/telegram/chats", headers=bearer(admin)).json
    assert [c["active"] for c in listed] == [True, False]  # current links first
    assert db_session.execute(
        select(AuditEntry).where(
            AuditEntry.action == "unlink", AuditEntry.object_type == "telegram_chat"
        )
    ).scalar_one()


def test_a_deactivated_persons_token_links_nothing(
    setup_bot, client, bearer, staff, org, post_update, fake_telegram, db_session
):
    secret = setup_bot()
    fake_telegram.fake.chats[5110] = "ok"
    token = _token(client.post("/api/me/telegram/link", headers=bearer(staff)).json["deep_link"])
    staff.active = False
    db_session.merge(staff)
    db_session.commit()
    post_update(org, message_update(f"/start {token}", chat_id=5110), secret)
    assert _chats(db_session) == []
    assert "expired" in _replies(fake_telegram, 5110)[0]


@pytest.mark.parametrize(
    ("chat", "title"),
    [
        ({"id": 1, "type": "private", "first_name": "Bo", "last_name": "Berg"}, "Bo Berg"),
        ({"id": 1, "type": "private", "username": "bo_b"}, "@bo_b"),
        ({"id": -1, "type": "group", "title": "Sales desk"}, "Sales desk"),
        ({"id": -1, "type": "supergroup", "title": "x" * 300}, "x" * 200),
        ({"id": 1, "type": "private"}, ""),
    ],
)
def test_the_chat_title_kept_with_a_link(chat, title):
    from integrations.notify.telegram_links import parse_link_command

    update_ = {"message": {"message_id": 1, "chat": chat, "text": "/start abc"}}
    command = parse_link_command(update_)
    assert command is not None
    assert command.title == title
