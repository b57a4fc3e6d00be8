"""The editor without a mouse and without losing work: wiring ports from the side panel,
phone-number fields, leaving a page with a pending save, Danish node texts and the note
after a rollback. Chromium, like the main editor test; console errors fail a test."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Dialog, Locator, Page, Route, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr_designer import crypto
from ivr_designer.models import Flow, PhoneNumber, ProviderAccount
from tests.editor.canvas import node, pick, sign_in
from tests.editor.conftest import Browser, Site


def new_flow(page: Page, name: str) -> None:
    page.get_by_label("New flow name").fill(name)
    page.get_by_role("button", name="Create flow").click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()


def add(page: Page, node_type: str, node_id: str) -> None:
    """A step from the palette by keyboard: focus its button, press Enter."""
    page.get_by_test_id(f"palette-{node_type}").focus()
    page.keyboard.press("Enter")
    expect(node(page, node_id)).to_be_visible()
    expect(page.locator(".props code")).to_have_text(node_id)


def port_select(page: Page, label: str) -> Locator:
    return page.get_by_test_id("connections").get_by_role("combobox", name=label, exact=True)


def saved(page: Page) -> None:
    expect(page.get_by_test_id("save-state")).to_have_text("All changes saved")


def draft(site: Site, name: str) -> dict[str, Any]:
    with Session(site.engine) as session:
        flow = session.execute(select(Flow).where(Flow.name == name)).scalar_one()
        return dict(flow.draft)


def add_number(site: Site) -> None:
    with Session(site.engine) as session:
        account = ProviderAccount(
            org_id=site.org_id,
            provider="twilio",
            account_sid="AC" + "5" * 32,
            auth_token_encrypted=crypto.encrypt("token", site.app),
        )
        session.add(account)
        session.flush()
        session.add(
            PhoneNumber(
                org_id=site.org_id,
                e164="+4570121212",
                label="Reception",
                provider_account_id=account.id,
            )
        )
        session.commit()


def test_ports_wired_from_the_side_panel_and_number_fields(site: Site, browser: Browser) -> None:
    add_number(site)
    page = browser.page
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_in(page, site)
    new_flow(page, "keyboard_line")
    add(page, "play", "play")
    add(page, "transfer", "transfer")
    add(page, "hangup", "hangup")

    # One labelled select per port; choosing a step draws the edge, undo takes it back.
    pick(page, "play")
    then = port_select(page, "Then *")
    expect(then.locator("option")).to_have_text(
        ["— not connected —", "Hang up · hangup", "Transfer · transfer"]
    )
    then.select_option("transfer")
    expect(page.locator(".react-flow__edge")).to_have_count(1)
    page.get_by_role("button", name="Undo").click()
    expect(then).to_have_value("")
    expect(page.locator(".react-flow__edge")).to_have_count(0)
    page.get_by_role("button", name="Redo").click()
    expect(then).to_have_value("transfer")
    expect(page.locator(".react-flow__edge")).to_have_count(1)

    pick(page, "transfer")
    # An outside number: a tel input, checked as it is typed, by the server's rule.
    number = page.get_by_label("Number *")
    expect(number).to_have_attribute("type", "tel")
    expect(number).to_have_attribute("placeholder", "+4512345678")
    number.fill("70 12 12")
    expect(page.get_by_text("Not an E.164 number: + and country code")).to_be_visible()
    number.fill("+4533445566")
    expect(page.get_by_text("Not an E.164 number: + and country code")).to_have_count(0)

    # A required port left open is said in words next to its select.
    no_answer = port_select(page, "No answer *")
    problem = page.get_by_test_id("connections").locator(".field-problem")
    expect(problem).to_have_text('port "no_answer" (No answer) of node "transfer" leads nowhere')
    expect(no_answer).to_have_attribute("aria-describedby", re.compile(".+"))
    no_answer.select_option("hangup")
    expect(page.get_by_test_id("connections").locator(".field-problem")).to_have_count(0)

    # Caller ID: the caller's own number or one of ours, picked from the numbers list.
    caller_id = page.get_by_label("Caller ID shown")
    expect(caller_id.locator("option")).to_have_text(
        ["The caller's own number", "+4570121212 (Reception)"]
    )
    expect(caller_id).to_have_value("caller")
    caller_id.select_option("+4570121212")

    # Leaving at once (autosave still pending) saves first and asks nothing.
    page.get_by_role("navigation").get_by_role("link", name="Flows", exact=True).click()
    expect(page.get_by_role("heading", name="Flows", exact=True)).to_be_visible()
    assert dialogs == []
    saved_draft = draft(site, "keyboard_line")
    transfer = saved_draft["nodes"]["transfer"]
    assert transfer["props"]["caller_id"] == "+4570121212"
    assert transfer["props"]["number"] == "+4533445566"
    assert transfer["ports"] == {"no_answer": "hangup"}
    assert saved_draft["nodes"]["play"]["ports"] == {"next": "transfer"}
    assert browser.console_errors == []


def test_leaving_after_a_failed_save_asks_first(site: Site, browser: Browser) -> None:
    page = browser.page
    sign_in(page, site)
    new_flow(page, "offline_line")
    add(page, "play", "play")
    saved(page)
    flow_url = page.url

    failing = True

    def drafts(route: Route) -> None:
        if failing and route.request.method == "PUT":
            route.fulfill(status=503, json={"error": "Service unavailable"})
        else:
            route.continue_()

    page.route(re.compile(r".*/api/flows/\d+/draft$"), drafts)
    page.get_by_label("Text to speak").fill("Velkommen")
    # The browser logs the refused request; that one console error is this test's doing.
    answers: list[bool] = [False]
    asked: list[str] = []

    def answer(dialog: Dialog) -> None:
        asked.append(dialog.message)
        if answers.pop(0):
            dialog.accept()
        else:
            dialog.dismiss()

    page.on("dialog", answer)
    page.locator(".brand").click()
    expect(page.get_by_test_id("save-state")).to_contain_text("Saving failed")
    assert asked == ["Your latest changes could not be saved. Leave anyway and lose them?"]
    expect(page).to_have_url(flow_url)
    expect(page.get_by_role("heading", name="offline_line")).to_be_visible()

    # Back on line: the back button saves, then leaves; nobody is asked.
    failing = False
    page.go_back()
    expect(page.get_by_role("heading", name="Flows", exact=True)).to_be_visible()
    assert len(asked) == 1
    assert draft(site, "offline_line")["nodes"]["play"]["props"] == {"text": "Velkommen"}
    errors = [e for e in browser.console_errors if "503" not in e]
    assert errors == []


def test_danish_node_texts_outcomes_and_the_note_after_a_rollback(
    site: Site, browser: Browser
) -> None:
    page = browser.page
    page.on("dialog", lambda d: d.accept())
    sign_in(page, site)
    new_flow(page, "rollback_line")
    add(page, "play", "play")
    page.get_by_label("Text to speak").fill("Første udgave")
    add(page, "hangup", "hangup")
    pick(page, "play")
    port_select(page, "Then *").select_option("hangup")
    saved(page)

    def publish(message: str, number: int) -> None:
        expect(page.get_by_test_id("publish")).to_be_enabled()
        page.get_by_test_id("publish").click()
        page.get_by_label("What changed").fill(message)
        page.get_by_role("button", name="Publish now").click()
        expect(page.get_by_test_id("notice")).to_have_text(f"Published as version {number}")

    publish("First", 1)
    pick(page, "play")
    page.get_by_label("Text to speak").fill("Anden udgave")
    saved(page)
    publish("Second", 2)
    expect(page.get_by_test_id("draft-differs")).to_have_count(0)

    page.get_by_test_id("tab-versions").click()
    page.get_by_role("button", name="Roll back to this (v1)").click()
    expect(page.get_by_test_id("notice")).to_have_text("Rolled back: version 3 is live")
    expect(page.get_by_test_id("draft-differs")).to_contain_text(
        "Your draft still differs from the live version v3"
    )

    # Node texts from the server follow the UI language, as do outcomes and rights.
    pick(page, "play")
    page.get_by_label("Audio").select_option("welcome")
    expect(page.locator(".rights")).to_have_text("Rights: Own recording")
    page.get_by_label("Language", exact=True).select_option("da")
    expect(page.get_by_test_id("palette-transfer")).to_have_text("Viderestil")
    expect(page.locator(".palette h3").first).to_have_text("Afslutninger")
    expect(node(page, "play").locator(".type-label")).to_have_text("Afspil besked")
    expect(node(page, "play").locator(".ports")).to_contain_text("Derefter")
    expect(page.locator(".props h2")).to_have_text("Afspil besked")
    expect(page.get_by_label("Lyd", exact=True)).to_have_value("welcome")
    expect(page.locator(".rights")).to_have_text("Rettigheder: Egen optagelse")
    expect(port_select(page, "Derefter *")).to_have_value("hangup")
    page.get_by_test_id("tab-simulator").click()
    outcome = page.get_by_label("Tilføj udfald", exact=True)
    expect(outcome.locator("option[value='no-answer']")).to_have_text("intet svar")
    page.get_by_label("Sprog", exact=True).select_option("en")
    expect(page.get_by_test_id("palette-transfer")).to_have_text("Transfer")
    assert browser.console_errors == []
