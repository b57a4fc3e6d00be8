"""The main path of the editor in a real browser: sign in, build the main-number flow
from an empty canvas, live validation, publish, simulate, versions and rollback."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr_designer import crypto
from ivr_designer.callflows.documents import canonical_document, document_sha256, parse_document
from ivr_designer.models import Flow, FlowVersion, PhoneNumber, ProviderAccount
from tests.conftest import simple_flow_document, write_test_wav
from tests.editor.conftest import EMAIL, PASSWORD, Browser, Site


def sign_in(page: Page, site: Site) -> None:
    page.goto(f"{site.url}/editor/")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Flows")).to_be_visible()


def node(page: Page, node_id: str) -> Locator:
    return page.get_by_test_id(f"node-{node_id}")


def add(page: Page, node_type: str, node_id: str) -> None:
    page.get_by_test_id(f"palette-{node_type}").click()
    expect(node(page, node_id)).to_be_visible()


def pick(page: Page, node_id: str) -> None:
    node(page, node_id).locator(".ivr-node-head").click()
    page.get_by_test_id("tab-props").click()
    expect(page.locator(".props code")).to_have_text(node_id)


def settled(page: Page, locator: Locator) -> dict[str, float] | None:
    """The box of ``locator`` once the canvas stopped moving (fit-view animates)."""
    box = locator.bounding_box()
    for _ in range(40):
        page.wait_for_timeout(50)
        again = locator.bounding_box()
        if again == box:
            break
        box = again
    return box


def connect(page: Page, source: str, port: str, target: str) -> None:
    handle = page.get_by_test_id(f"port-{source}-{port}")
    goal = node(page, target).locator(".in-handle")
    start, end = settled(page, handle), settled(page, goal)
    assert start
    assert end
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + 2, end["y"] + 2, steps=8)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=4)
    page.mouse.up()
    expect(page.locator(f'.react-flow__edge[data-id="{source}:{port}"]')).to_have_count(1)


def saved(page: Page) -> None:
    expect(page.get_by_test_id("save-state")).to_have_text("All changes saved", timeout=10_000)


def no_findings(page: Page) -> None:
    page.get_by_test_id("tab-problems").click()
    expect(page.get_by_text("No problems found")).to_be_visible()


def simulate(page: Page, when: str, digits: str = "") -> Locator:
    page.get_by_test_id("tab-simulator").click()
    page.get_by_test_id("sim-at").fill(when)
    page.get_by_role("button", name="Clear").first.click()
    for digit in digits:
        page.get_by_role("button", name=f"key {digit}").click()
    page.get_by_role("button", name="Run the call").click()
    trace = page.get_by_test_id("sim-trace")
    expect(trace).to_be_visible()
    return trace


def upload_prompt(page: Page, browser: Browser, folder: Path, key: str) -> None:
    """Upload a recording through the audio page: a progress bar, then ready."""
    page.get_by_role("link", name="Audio", exact=True).click()
    expect(page.get_by_role("heading", name="Upload audio")).to_be_visible()
    wav = write_test_wav(folder / "greeting.wav", seconds=4.0)
    page.get_by_label("Audio file").set_input_files(str(wav))
    page.get_by_label("Key", exact=False).first.fill(key)
    page.get_by_label("Display name").fill("Telefonsvarer-hilsen")
    page.get_by_label("Rights").select_option("own_recording")
    page.get_by_label("Source").fill("Optaget af receptionen")
    # Slow the upload down so the progress bar is seen moving (64 kB at 32 kB/s).
    cdp = page.context.new_cdp_session(page)
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 32 * 1024},
    )
    page.get_by_role("button", name="Upload", exact=True).click()
    progress = page.get_by_test_id("upload-progress")
    expect(progress).to_be_visible()
    expect(page.get_by_text(re.compile(r"Uploading \d+%"))).to_be_visible()
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    expect(page.get_by_test_id("upload-state")).to_have_text("Uploaded and ready", timeout=20_000)
    expect(progress).to_have_count(0)
    row = page.get_by_test_id(f"asset-{key}")
    expect(row).to_contain_text("ready")
    expect(row).to_contain_text("Own recording")
    player = row.get_by_label(f"Play {key}")
    duration = page.evaluate(
        "async (el) => { el.preload = 'auto'; el.load();"
        " await new Promise((ok, no) => { el.onloadedmetadata = ok; el.onerror = no; });"
        " return el.duration; }",
        player.element_handle(),
    )
    assert 3.5 < duration < 4.5
    browser.docs_shot("admin-audio")
    page.get_by_role("link", name="Flows", exact=True).click()
    expect(page.get_by_role("heading", name="Flows")).to_be_visible()


def route_numbers(site: Site) -> tuple[int, int]:
    """The reception number to main_number; a second number to another live flow."""
    with Session(site.engine) as session:
        main = session.execute(select(Flow).where(Flow.name == "main_number")).scalar_one()
        document = canonical_document(parse_document(simple_flow_document("other_line")))
        other = Flow(org_id=site.org_id, name="other_line", draft=document)
        session.add(other)
        session.flush()
        live = FlowVersion(
            org_id=site.org_id,
            flow_id=other.id,
            number=1,
            document=document,
            sha256=document_sha256(document),
        )
        session.add(live)
        session.flush()
        other.published_version_id = live.id
        account = ProviderAccount(
            org_id=site.org_id,
            provider="twilio",
            account_sid="AC" + "7" * 32,
            auth_token_encrypted=crypto.encrypt("token", site.app),
        )
        session.add(account)
        session.flush()
        numbers = [
            PhoneNumber(
                org_id=site.org_id,
                e164=e164,
                label=label,
                provider_account_id=account.id,
                voice_flow_id=flow.id,
            )
            for e164, label, flow in (
                ("+4570121212", "Reception", main),
                ("+4570343434", "Support", other),
            )
        ]
        session.add_all(numbers)
        session.commit()
        return numbers[0].id, numbers[1].id


def test_build_validate_publish_simulate_and_roll_back(
    site: Site, browser: Browser, tmp_path: Path
) -> None:
    page = browser.page
    sign_in(page, site)
    browser.shot("01-flows")
    upload_prompt(page, browser, tmp_path, "vm-greeting")

    page.get_by_label("New flow name").fill("main_number")
    page.get_by_role("button", name="Create flow").click()
    expect(page.get_by_role("heading", name="main_number")).to_be_visible()
    expect(page.get_by_text("Drag a step from the left to begin.")).to_be_visible()

    # Build the main number from an empty canvas.
    add(page, "hours", "hours")
    add(page, "menu", "menu")
    add(page, "ring_group", "ring_group")
    add(page, "voicemail", "voicemail")
    add(page, "play", "play")
    page.get_by_role("button", name="Tidy layout").click()

    # A voicemail step without a box: the validator's error shows on that node.
    badge = page.get_by_test_id("badge-voicemail")
    expect(badge).to_have_class(re.compile("error"))
    expect(badge).to_have_attribute("title", re.compile('property "box"'))
    pick(page, "voicemail")
    expect(page.locator(".field-problem")).to_contain_text('property "box"')
    browser.shot("02-validation-error")
    page.get_by_label("Voicemail box *").select_option("vm-main")
    # The greeting is the prompt uploaded through the audio page.
    greeting = page.get_by_role("group", name=re.compile("Greeting"))
    greeting.get_by_label("Audio").select_option("vm-greeting")
    expect(greeting.locator(".rights")).to_have_text("Rights: own_recording")
    expect(badge).not_to_have_attribute("title", re.compile('property "box"'))
    expect(badge).not_to_have_class(re.compile("error"))
    expect(page.locator(".field-problem")).to_have_count(0)

    pick(page, "menu")
    page.get_by_role("group", name="Menu message").get_by_label("Text to speak").fill(
        "Tryk 1 for salg."
    )
    page.get_by_role("button", name="+ Add: Options").click()
    page.get_by_label("Key *").select_option("1")
    page.get_by_label("Label").fill("Salg")
    expect(page.get_by_test_id("port-menu-1")).to_be_visible()

    pick(page, "ring_group")
    page.get_by_role("button", name="+ Add: Members").click()
    page.get_by_role("textbox", name="Members 1").fill("+4511223344")

    pick(page, "play")
    page.get_by_label("Text to speak").fill("Vi holder lukket i dag.")

    page.get_by_role("button", name="Tidy layout").click()
    connect(page, "hours", "open", "menu")
    connect(page, "hours", "closed", "voicemail")
    connect(page, "hours", "holiday", "play")
    connect(page, "play", "next", "voicemail")
    connect(page, "menu", "1", "ring_group")
    connect(page, "menu", "fallback", "voicemail")
    connect(page, "ring_group", "no_answer", "voicemail")
    page.get_by_role("button", name="Tidy layout").click()

    no_findings(page)
    saved(page)
    browser.shot("03-canvas")

    # Publish with a message.
    expect(page.get_by_test_id("publish")).to_be_enabled()
    page.get_by_test_id("publish").click()
    page.get_by_label("What changed").fill("First version")
    page.get_by_role("button", name="Publish now").click()
    expect(page.get_by_test_id("notice")).to_have_text("Published as version 1")
    reception, support = route_numbers(site)

    # Simulator: Christmas Day is a holiday; a Tuesday morning reaches the menu.
    trace = simulate(page, "2026-12-25T10:00")
    expect(trace.locator(".path")).to_contain_text("play")
    for _ in range(5):
        if page.get_by_test_id("sim-end").count():
            break
        page.get_by_role("button", name="Next", exact=True).click()
    expect(page.get_by_test_id("sim-end")).to_contain_text("voicemail")
    expect(node(page, "play")).to_have_class(re.compile("visited"))
    expect(node(page, "menu")).not_to_have_class(re.compile("visited"))

    trace = simulate(page, "2026-11-24T10:00", digits="1")
    expect(trace.locator(".path")).to_contain_text("menu")
    page.get_by_role("button", name="Next", exact=True).click()
    expect(page.get_by_test_id("sim-heard")).to_contain_text("Tryk 1 for salg.")
    page.get_by_role("button", name="Next", exact=True).click()
    expect(node(page, "ring_group")).to_have_class(re.compile("current"))
    expect(page.locator('.react-flow__edge[data-id="menu:1"]')).to_have_class(re.compile("taken"))
    browser.shot("04-simulator")

    # A call to the reception number: its flow is this one, so its live path lights up.
    page.get_by_test_id("sim-target").select_option(str(reception))
    trace = simulate(page, "2026-11-24T10:00", digits="1")
    expect(page.get_by_test_id("sim-route")).to_have_text(
        "+4570121212 is answered by main_number, live version v1."
    )
    page.get_by_role("button", name="Next", exact=True).click()
    page.get_by_role("button", name="Next", exact=True).click()
    expect(node(page, "ring_group")).to_have_class(re.compile("current"))
    expect(node(page, "menu")).to_have_class(re.compile("visited"))
    # The support number answers with another flow: its steps, and a link to open it.
    page.get_by_test_id("sim-target").select_option(str(support))
    trace = simulate(page, "2026-11-24T10:00")
    expect(trace.locator(".path")).to_contain_text("greeting")
    open_other = page.get_by_role("link", name="Open other_line")
    expect(open_other).to_have_attribute("href", re.compile(r"^#/flows/\d+$"))
    expect(page.locator(".react-flow__node.visited")).to_have_count(0)
    browser.shot("04b-simulator-number")
    page.get_by_test_id("sim-target").select_option("")

    # A second version, then the versions panel: diff and roll back.
    pick(page, "play")
    page.get_by_label("Text to speak").fill("Lukket på grund af helligdag.")
    saved(page)
    page.get_by_test_id("publish").click()
    page.get_by_label("What changed").fill("New holiday message")
    page.get_by_role("button", name="Publish now").click()
    expect(page.get_by_test_id("notice")).to_have_text("Published as version 2")

    page.get_by_test_id("tab-versions").click()
    expect(page.get_by_test_id("versions")).to_contain_text("New holiday message")
    expect(page.get_by_test_id("author-2")).to_have_text("by Admin")
    page.get_by_role("button", name="Show on canvas").click()
    expect(node(page, "play")).to_have_class(re.compile("diff-changed"))
    expect(node(page, "menu")).not_to_have_class(re.compile("diff-"))
    browser.shot("05-versions-diff")
    page.get_by_role("button", name="Back to editing").click()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Roll back to this (v1)").click()
    expect(page.get_by_test_id("notice")).to_have_text("Rolled back: version 3 is live")

    with Session(site.engine) as session:
        flow = session.execute(select(Flow).where(Flow.name == "main_number")).scalar_one()
        live = session.get(FlowVersion, flow.published_version_id)
        assert live is not None
        assert live.number == 3
        assert live.document["nodes"]["play"]["props"]["text"] == "Vi holder lukket i dag."
        assert live.document["nodes"]["voicemail"]["props"]["greeting"] == {"audio": "vm-greeting"}
        assert flow.draft["nodes"]["hours"]["ports"]["holiday"] == "play"
    assert browser.console_errors == []


def test_keyboard_copy_paste_delete_undo_redo_and_danish(site: Site, browser: Browser) -> None:
    page = browser.page
    sign_in(page, site)
    page.get_by_label("New flow name").fill("support_line")
    page.get_by_role("button", name="Create flow").click()
    expect(page.get_by_role("heading", name="support_line")).to_be_visible()

    page.get_by_test_id("palette-play").focus()
    page.keyboard.press("Enter")
    expect(node(page, "play")).to_be_visible()
    expect(page.locator(".entry-note")).to_contain_text("The call starts here")

    page.keyboard.press("Control+c")
    page.keyboard.press("Control+v")
    expect(node(page, "play-2")).to_be_visible()
    expect(page.locator(".react-flow__node.selected")).to_have_count(1)

    page.keyboard.press("Delete")
    expect(node(page, "play-2")).to_have_count(0)
    page.keyboard.press("Control+z")
    expect(node(page, "play-2")).to_be_visible()
    page.keyboard.press("Control+Shift+z")
    expect(node(page, "play-2")).to_have_count(0)
    page.get_by_role("button", name="Undo").click()
    expect(node(page, "play-2")).to_be_visible()
    saved(page)
    with Session(site.engine) as session:
        flow = session.execute(select(Flow).where(Flow.name == "support_line")).scalar_one()
        assert set(flow.draft["nodes"]) == {"play", "play-2"}
        assert flow.draft["entry"] == "play"

    # The audio picker lists the org's assets by key, shows the rights and plays in place.
    pick(page, "play")
    page.get_by_label("Audio").select_option("welcome")
    expect(page.locator(".rights")).to_have_text("Rights: own_recording")
    player = page.get_by_label("Play welcome")
    expect(player).to_have_count(1)
    source = player.get_attribute("src")
    fetched = page.evaluate(
        "async (src) => { const r = await fetch(src);"
        " return [r.status, r.headers.get('content-type')]; }",
        source,
    )
    assert fetched == [200, "audio/wav"]

    page.get_by_label("Language", exact=True).select_option("da")
    expect(page.get_by_role("heading", name="Tilføj et trin")).to_be_visible()
    expect(page.get_by_role("button", name="Fortryd")).to_be_visible()
    expect(page.get_by_test_id("save-state")).to_have_text("Alle ændringer er gemt")
    page.get_by_label("Sprog", exact=True).select_option("en")
    expect(page.get_by_role("heading", name="Add a step")).to_be_visible()
    assert browser.console_errors == []


def test_drag_from_palette_and_a_concurrent_edit_is_reported(site: Site, browser: Browser) -> None:
    page = browser.page
    sign_in(page, site)
    page.get_by_label("New flow name").fill("fax_line")
    page.get_by_role("button", name="Create flow").click()
    page.get_by_test_id("palette-hangup").drag_to(page.locator(".react-flow__pane"))
    expect(node(page, "hangup")).to_be_visible()
    saved(page)

    # Someone else saves the draft meanwhile: our next autosave gets a 409.
    with Session(site.engine) as session:
        flow = session.execute(select(Flow).where(Flow.name == "fax_line")).scalar_one()
        flow.draft_revision += 1
        session.commit()
    page.get_by_test_id("palette-play").click()
    expect(page.get_by_test_id("save-state")).to_contain_text("Someone else changed this flow")
    expect(page.get_by_test_id("publish")).to_be_disabled()
    page.get_by_role("button", name="Reload").click()
    saved(page)
    expect(node(page, "hangup")).to_be_visible()
    expect(node(page, "play")).to_have_count(0)
    assert [e for e in browser.console_errors if "409" not in e] == []
