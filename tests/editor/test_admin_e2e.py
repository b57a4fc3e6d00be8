"""The admin pages in a real browser: the voicemail inbox (play, claim, handled, who
did it), the audio-free admin screens (numbers, boxes, users, retention, logs,
integrations) and what a staff member is shown."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from integrations.notify.signing import generate_secret
from ivr_designer.models import (
    AudioAsset,
    Call,
    CallStep,
    Fax,
    FaxBox,
    OutboxDelivery,
    PhoneNumber,
    ProviderAccount,
    User,
    Voicemail,
    VoicemailBox,
)
from ivr_designer.models.base import utcnow
from tests.conftest import MINIMAL_PDF, write_test_wav
from tests.editor.conftest import BOT_TOKEN, EMAIL, PASSWORD, Browser, Site, TelegramSite
from tests.editor.test_editor_e2e import sign_in
from tests.integrations.webhook_receiver import WebhookReceiver

STAFF_EMAIL = "anna@demo.example"


def seed_inbox(site: Site) -> tuple[int, int]:
    """A real 3-second WAV voicemail and a one-page fax in the org's boxes."""
    media = Path(site.app.config["MEDIA_FOLDER"])
    (media / "voicemail").mkdir(parents=True, exist_ok=True)
    (media / "fax").mkdir(parents=True, exist_ok=True)
    write_test_wav(media / "voicemail" / "e2e-1.wav", seconds=3.0)
    (media / "fax" / "e2e-1.pdf").write_bytes(MINIMAL_PDF)
    with Session(site.engine) as session:
        admin = session.execute(select(User).where(User.email == EMAIL)).scalar_one()
        box = session.execute(
            select(VoicemailBox).where(VoicemailBox.key == "vm-main")
        ).scalar_one()
        fax_box = FaxBox(org_id=site.org_id, key="fax-main", name="Fax")
        fax_box.listeners.append(admin)
        session.add(fax_box)
        session.flush()
        voicemail = Voicemail(
            org_id=site.org_id,
            box_id=box.id,
            recording_sid="RE" + "e2e".rjust(32, "0"),
            caller="+4512345678",
            duration_s=3,
            status="ready",
            media_path="voicemail/e2e-1.wav",
            transcription="Hej, ring venligst tilbage om fakturaen.",
        )
        fax = Fax(
            org_id=site.org_id,
            box_id=fax_box.id,
            fax_sid="FX" + "e2e".rjust(32, "0"),
            caller="+4587654321",
            pages=1,
            status="ready",
            media_path="fax/e2e-1.pdf",
        )
        session.add_all([voicemail, fax])
        session.commit()
        return voicemail.id, admin.id


def test_inbox_play_claim_and_mark_handled(site: Site, browser: Browser) -> None:
    voicemail_id, admin_id = seed_inbox(site)
    page = browser.page
    sign_in(page, site)
    page.get_by_role("link", name="Inbox", exact=True).click()
    item = page.get_by_test_id(f"voicemail-{voicemail_id}")
    expect(item).to_contain_text("+4512345678")
    expect(item).to_contain_text("Hovednummer")
    expect(item).to_contain_text("Hej, ring venligst tilbage om fakturaen.")
    expect(item.get_by_text("new", exact=True)).to_be_visible()

    # The <audio> loads the Opus rendition through the authenticated API and plays.
    player = item.locator("audio")
    expect(player).to_have_attribute("src", f"/api/voicemails/{voicemail_id}/audio")
    loaded = page.evaluate(
        """async (el) => {
            if (el.readyState < 1) await new Promise((ok, no) => {
                el.addEventListener('loadedmetadata', ok, { once: true });
                el.addEventListener('error', () => no(new Error('audio error')), { once: true });
            });
            await el.play();
            await new Promise((ok) => setTimeout(ok, 400));
            return { readyState: el.readyState, duration: el.duration, time: el.currentTime };
        }""",
        player.element_handle(),
    )
    assert loaded["readyState"] >= 1
    assert 2.5 < loaded["duration"] < 3.5
    assert loaded["time"] > 0
    # Playing marks it heard for this user.
    expect(item.get_by_text("new", exact=True)).to_have_count(0)
    download = item.get_by_role("link", name="Download")
    expect(download).to_have_attribute("href", f"/api/voicemails/{voicemail_id}/download")

    item.get_by_role("button", name="Claim").click()
    expect(item.get_by_test_id("who")).to_contain_text("Claimed by Admin")
    browser.docs_shot("admin-inbox")
    item.get_by_role("button", name="Mark handled").click()
    expect(page.get_by_test_id("inbox-status")).to_have_text("Marked as handled")
    expect(item.get_by_test_id("who")).to_contain_text("Handled by Admin")
    expect(item.get_by_role("button", name="Reopen")).to_be_visible()

    # Handled items leave the open list and are found under "Handled".
    page.get_by_label("State").select_option("open")
    page.get_by_role("button", name="Refresh").click()
    expect(page.get_by_text("Nothing here.")).to_be_visible()
    page.get_by_label("State").select_option("handled")
    expect(item.get_by_test_id("who")).to_contain_text("Handled by Admin")

    with Session(site.engine) as session:
        row = session.get(Voicemail, voicemail_id)
        assert row is not None
        assert row.handled_by_id == admin_id
        assert row.handled_at is not None

    # Faxes: the PDF opens through the API.
    page.get_by_role("tab", name="Voicemails").focus()
    page.keyboard.press("ArrowRight")
    faxes_tab = page.get_by_role("tab", name="Faxes")
    expect(faxes_tab).to_have_attribute("aria-selected", "true")
    expect(faxes_tab).to_be_focused()
    page.get_by_label("State").select_option("all")
    fax_link = page.get_by_role("link", name="Open PDF")
    expect(fax_link).to_be_visible()
    href = fax_link.get_attribute("href")
    fetched = page.evaluate(
        "async (src) => { const r = await fetch(src);"
        " return [r.status, r.headers.get('content-type')]; }",
        href,
    )
    assert fetched == [200, "application/pdf"]
    assert browser.console_errors == []


def test_admin_pages(site: Site, browser: Browser) -> None:
    with Session(site.engine) as session:
        call = Call(
            org_id=site.org_id,
            call_sid="CA" + "e2e".rjust(32, "0"),
            caller="+4511112222",
            called="+4570101010",
            outcome="voicemail",
            started_at=utcnow() - timedelta(minutes=5),
            ended_at=utcnow() - timedelta(minutes=4),
            duration_s=42,
        )
        session.add(call)
        session.flush()
        for seq, (node, node_type, digit, port) in enumerate(
            [
                ("hours", "hours", None, "open"),
                ("menu", "menu", "1", "1"),
                ("vm", "voicemail", None, None),
            ]
        ):
            session.add(
                CallStep(
                    org_id=site.org_id,
                    call_id=call.id,
                    seq=seq,
                    flow_name="main_number",
                    node_id=node,
                    node_type=node_type,
                    input=digit,
                    port=port,
                    ended="recorded" if port is None else None,
                )
            )
        account = ProviderAccount(
            org_id=site.org_id,
            provider="twilio",
            account_sid="AC" + "1" * 32,
            auth_token_encrypted="not-used-here",
        )
        session.add_all([account, FaxBox(org_id=site.org_id, key="fax-main", name="Fax")])
        session.flush()
        session.add(
            PhoneNumber(
                org_id=site.org_id,
                e164="+4570101010",
                label="Hovednummer",
                provider_account_id=account.id,
            )
        )
        dead = OutboxDelivery(
            org_id=site.org_id,
            event="voicemail.created",
            channel="webhook",
            idempotency_key="e2e-dead-1",
            status="dead",
            attempts=8,
            last_error="HTTP 500 from the receiver",
        )
        session.add(dead)
        session.commit()
        call_id, dead_id = call.id, dead.id

    page = browser.page
    sign_in(page, site)

    # Numbers: an unpublished flow is refused with the server's reason; a fax box is set.
    page.get_by_label("New flow name").fill("draft_only")
    page.get_by_role("button", name="Create flow").click()
    expect(page.get_by_role("heading", name="draft_only")).to_be_visible()
    page.get_by_role("link", name="Numbers", exact=True).click()
    row = page.get_by_test_id("number-1")
    expect(row).to_contain_text("+4570101010")
    row.get_by_label("Voice flow for +4570101010").select_option(label="draft_only")
    row.get_by_role("button", name="Save").click()
    expect(row.get_by_role("alert")).to_contain_text("not published")
    row.get_by_label("Voice flow for +4570101010").select_option(label="— none —")
    row.get_by_label("Fax box for +4570101010").select_option(label="Fax")
    row.get_by_role("button", name="Save").click()
    saved = page.get_by_role("status").filter(has_text="Routing of +4570101010 saved")
    expect(saved).to_be_visible()
    browser.docs_shot("admin-numbers")
    with Session(site.engine) as session:
        number = session.execute(select(PhoneNumber)).scalar_one()
        assert number.fax_box_id is not None
        assert number.voice_flow_id is None

    # Users: create a staff member, who then listens to the main box.
    page.get_by_role("link", name="Users", exact=True).click()
    form = page.get_by_role("form", name="New user")
    form.get_by_label("Name").fill("Anna Jensen")
    form.get_by_label("Email").fill(STAFF_EMAIL)
    form.get_by_label("Password").fill(PASSWORD)
    form.get_by_label("Role").select_option("staff")
    form.get_by_role("button", name="Create user").click()
    expect(page.get_by_role("row", name=re.compile("Anna Jensen"))).to_contain_text("Staff")
    browser.docs_shot("admin-users")

    page.get_by_role("link", name="Boxes", exact=True).click()
    box = page.get_by_test_id("box-vm-main")
    box.get_by_label("Add listener").select_option(label=f"Anna Jensen ({STAFF_EMAIL})")
    box.get_by_role("button", name="Add", exact=True).click()
    expect(box.get_by_role("button", name="Remove Anna Jensen from Hovednummer")).to_be_visible()
    browser.docs_shot("admin-boxes")
    with Session(site.engine) as session:
        vm_box = session.execute(
            select(VoicemailBox).where(VoicemailBox.key == "vm-main")
        ).scalar_one()
        assert sorted(u.email for u in vm_box.listeners) == [EMAIL, STAFF_EMAIL]

    # Retention: bounds are shown; a value out of them is named next to its field.
    page.get_by_role("link", name="Retention", exact=True).click()
    voicemail_days = page.get_by_label("Voicemails")
    expect(voicemail_days).to_be_visible()
    voicemail_days.fill("100000")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("retention-voicemail-error")).to_contain_text("Must be between")
    expect(voicemail_days).to_have_attribute("aria-invalid", "true")
    voicemail_days.fill("21")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="Retention saved")).to_be_visible()
    browser.docs_shot("admin-retention")

    # The audit log lists those writes; filtering narrows it.
    page.get_by_role("link", name="Audit log", exact=True).click()
    table = page.get_by_test_id("audit-table")
    expect(table).to_contain_text("update_retention")
    page.get_by_label("Object type").fill("users")
    page.get_by_role("button", name="Filter").click()
    expect(table).not_to_contain_text("update_retention")
    expect(table.get_by_role("row", name=re.compile(r"create\s*users #\d+"))).to_have_count(1)
    browser.docs_shot("admin-audit")

    # The call log opens a call's step trace.
    page.get_by_role("link", name="Call log", exact=True).click()
    page.get_by_role("row", name=re.compile(r"\+4511112222")).get_by_role("button").click()
    trace = page.get_by_test_id("call-trace")
    expect(trace).to_contain_text(f"Call #{call_id}")
    expect(trace.locator(".steps li")).to_have_count(3)
    expect(trace).to_contain_text("Pressed: 1")
    browser.docs_shot("admin-calls")

    # Integrations: the server's 400 names the URL field; a created endpoint shows its
    # secret once, and a test-send signed with that secret reaches the receiver.
    page.get_by_role("link", name="Integrations", exact=True).click()
    expect(page.get_by_test_id("bot-state")).to_have_text("No Telegram bot is set up.")
    url = page.get_by_label("URL")
    url.fill("https://no-such-host.invalid/ivr")
    page.get_by_role("button", name="Create endpoint").click()
    expect(page.locator(".field.has-problem .field-problem")).to_contain_text("resolve")
    with WebhookReceiver(generate_secret()) as receiver:
        url.fill(receiver.url)
        page.get_by_role("button", name="Create endpoint").click()
        secret_box = page.get_by_test_id("endpoint-secret")
        expect(secret_box).to_contain_text("whsec_")
        receiver.secret = secret_box.locator("code").inner_text().strip()
        page.get_by_role("button", name="I have stored it").click()
        expect(secret_box).to_have_count(0)
        card = page.get_by_role("article", name=receiver.url)
        expect(card).to_contain_text("voicemail.created")
        card.get_by_role("button", name="Send test").click()
        expect(card.get_by_test_id("test-result")).to_contain_text("Test: delivered (HTTP 204")
        assert [r.verified for r in receiver.received] == [True]
        card.get_by_role("button", name="Delivery log").click()
        expect(card.locator("table")).to_contain_text("delivered 204")
        browser.docs_shot("admin-integrations")
    # The dead-letter list: a failed-for-good delivery is sent again.
    dead_row = page.get_by_role("row", name=re.compile("HTTP 500 from the receiver"))
    expect(dead_row).to_contain_text("8 attempt(s)")
    dead_row.get_by_role("button", name="Retry").click()
    expect(page.get_by_text(f"Delivery #{dead_id} queued again")).to_be_visible()
    expect(dead_row).to_have_count(0)
    with Session(site.engine) as session:
        retried = session.get(OutboxDelivery, dead_id)
        assert retried is not None
        assert retried.status != "dead"

    page.reload()
    expect(page.get_by_role("article", name=receiver.url)).to_be_visible()
    expect(page.get_by_test_id("endpoint-secret")).to_have_count(0)
    expect(page.get_by_text(receiver.secret)).to_have_count(0)
    # The browser logs the refusals the test provoked (422 unpublished flow, 400 bad URL).
    refusals = ("status of 400", "status of 422")
    assert [e for e in browser.console_errors if not any(r in e for r in refusals)] == []

    # A staff member sees only the inbox and the profile.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Email", exact=True).fill(STAFF_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    nav = page.locator("nav.mainnav")
    expect(page.get_by_role("navigation", name="Main menu")).to_be_visible()
    expect(nav.get_by_role("link")).to_have_text(["Inbox", "My profile"])
    page.get_by_label("Language", exact=True).select_option("da")
    expect(nav.get_by_role("link")).to_have_text(["Indbakke", "Min profil"])
    expect(page.get_by_role("heading", name="Indbakke")).to_be_visible()
    page.get_by_label("Sprog", exact=True).select_option("en")
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    page.goto(f"{site.url}/editor/#/users")
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    nav.get_by_role("link", name="My profile").click()
    expect(page.get_by_role("button", name="Link my Telegram")).to_be_visible()


def test_telegram_bot_setup_and_deep_links(telegram_site: TelegramSite, browser: Browser) -> None:
    site = telegram_site
    page = browser.page
    sign_in(page, site)
    page.get_by_role("link", name="Integrations", exact=True).click()
    expect(page.get_by_test_id("bot-state")).to_have_text("No Telegram bot is set up.")

    # Telegram refuses an unknown token: the message sits under the token field.
    token = page.get_by_label("Bot token")
    token.fill("999:not-a-token")
    page.get_by_role("button", name="Save bot").click()
    expect(page.locator(".field.has-problem .field-problem")).to_be_visible()
    expect(page.get_by_test_id("bot-state")).to_have_text("No Telegram bot is set up.")

    token.fill(BOT_TOKEN)
    page.get_by_role("button", name="Save bot").click()
    expect(page.get_by_test_id("bot-state")).to_contain_text("Bot @ivr_test_bot is set up")
    expect(token).to_have_value("")
    hook = site.telegram.webhooks[BOT_TOKEN]
    assert hook["url"] == f"https://ivr.example.com/hooks/telegram/{site.org_id}"

    # The token is never shown back, not even after a reload.
    page.reload()
    expect(page.get_by_test_id("bot-state")).to_contain_text("Bot @ivr_test_bot is set up")
    assert BOT_TOKEN not in page.content()
    expect(page.get_by_label("Bot token")).to_have_value("")

    # A box's group link and the member's own link both point at the bot.
    page.get_by_role("button", name="Make group link").click()
    group = page.locator(".deep-link a")
    expect(group).to_have_attribute(
        "href", re.compile(r"^https://t\.me/ivr_test_bot\?startgroup=\S+")
    )
    browser.docs_shot("admin-telegram")
    page.get_by_role("link", name="My profile", exact=True).click()
    page.get_by_role("button", name="Link my Telegram").click()
    own = page.locator(".deep-link a")
    expect(own).to_have_attribute("href", re.compile(r"^https://t\.me/ivr_test_bot\?start=\S+"))
    assert [e for e in browser.console_errors if "status of 400" not in e] == []


def test_audio_upload_processing_then_ready_and_expiry_warning(
    worker_site: Site, browser: Browser, tmp_path: Path
) -> None:
    site = worker_site
    media = Path(site.app.config["MEDIA_FOLDER"]) / "audio"
    write_test_wav(media / "jingle.pcm.wav")
    with Session(site.engine) as session:
        session.add(
            AudioAsset(
                org_id=site.org_id,
                key="jingle",
                name="Jingle",
                use="hold_music",
                kind="upload",
                status="ready",
                rights_kind="royalty_free",
                rights_licence_text="Licensed for telephony use",
                rights_valid_until=date.today() + timedelta(days=10),
                telephony_path="audio/jingle.pcm.wav",
                duration_s=0.5,
            )
        )
        session.commit()
    page = browser.page
    sign_in(page, site)
    page.get_by_role("link", name="Audio", exact=True).click()
    expect(page.get_by_test_id("asset-jingle")).to_contain_text("Rights end in 10 day(s)")

    # A 4 s upload is longer than the inline limit: processing, polled until ready.
    page.get_by_label("Audio file").set_input_files(
        str(write_test_wav(tmp_path / "long.wav", seconds=4.0))
    )
    page.get_by_label("Key", exact=False).first.fill("long-prompt")
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_test_id("upload-state")).to_have_text("Processing…")
    row = page.get_by_test_id("asset-long-prompt")
    expect(row).to_contain_text("processing")
    expect(page.get_by_test_id("upload-state")).to_have_text("Uploaded and ready", timeout=30_000)
    expect(row).to_contain_text("ready")
    with Session(site.engine) as session:
        query = select(AudioAsset).where(AudioAsset.key == "long-prompt")
        asset = session.execute(query).scalar_one()
        assert asset.status == "ready"
        assert asset.duration_s is not None
        assert 3.5 < asset.duration_s < 4.5
    assert browser.console_errors == []
