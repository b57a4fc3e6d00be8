"""The main path of the editor in a real browser, as the README walks a new user through
it: on a fresh install, create the voicemail box, upload the welcome prompt and the hold
music, build the example main number (flows/examples/main_number.json) from an empty
canvas, see live validation, publish, simulate, compare versions and roll back; the
published flow then exports as the example file, up to node ids and layout."""

from __future__ import annotations

import re
from collections import deque
from dataclasses import replace
from pathlib import Path

from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.diff import diff_flows, format_diff
from flows.fileformat import load_flow
from flows.model import Flow as FlowGraph
from flows.model import Node
from ivr_designer import crypto
from ivr_designer.callflows.documents import canonical_document, document_sha256, parse_document
from ivr_designer.models import Flow, FlowVersion, PhoneNumber, ProviderAccount
from tests.conftest import simple_flow_document, write_test_wav
from tests.editor.canvas import node, pick, sign_in
from tests.editor.conftest import EMAIL, Browser, Site

EXAMPLE = Path(__file__).parents[2] / "flows" / "examples" / "main_number.json"
DESCRIPTION = (
    "Main company number: opening hours, a menu for sales (answer group) and support "
    "(ring group), group voicemail after hours, on holidays and when nobody answers."
)
# The editor names a new step after its type; the example file's ids in comments.
WELCOME = "play"  # welcome
CLOSED = "play-2"  # closed-message
HOLIDAY = "play-3"  # holiday-message
SALES = "queue"  # sales
SUPPORT = "ring_group"  # support
GOODBYE = "hangup"  # goodbye
OWN_RECORDING = re.compile(r"^Rights: own[ _]recording$", re.IGNORECASE)


def open_page(page: Page, link: str, heading: str) -> None:
    page.get_by_role("link", name=link, exact=True).click()
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()


# --- Admin pages: what the flow refers to ---------------------------------------------


def create_voicemail_box(page: Page, key: str, name: str) -> None:
    """A new box on the Boxes page, with the signed-in admin as its listener."""
    open_page(page, "Boxes", "Boxes")
    form = page.get_by_role("form", name="New voicemail box")
    form.get_by_label("Key").fill(key)
    form.get_by_label("Box name").fill(name)
    form.get_by_role("button", name="New voicemail box").click()
    card = page.get_by_test_id(f"box-{key}")
    expect(card).to_contain_text("Nobody listens to this box yet.")
    card.get_by_label("Add listener").select_option(label=f"Admin ({EMAIL})")
    card.get_by_role("button", name="Add", exact=True).click()
    expect(card).to_contain_text(EMAIL)
    expect(card).not_to_contain_text("Nobody listens to this box yet.")


def fill_upload_form(
    page: Page, wav: Path, key: str, name: str, use: str, rights: str, source: str
) -> None:
    page.get_by_label("Audio file").set_input_files(str(wav))
    page.get_by_label("Key", exact=False).first.fill(key)
    page.get_by_label("Display name").fill(name)
    page.get_by_role("combobox", name=re.compile(r"^Use")).select_option(use)
    page.get_by_label("Rights").select_option(rights)
    page.get_by_label("Source").fill(source)


def expect_ready(page: Page, key: str, rights: str) -> Locator:
    expect(page.get_by_test_id("upload-state")).to_have_text("Uploaded and ready", timeout=20_000)
    expect(page.get_by_test_id("upload-progress")).to_have_count(0)
    row = page.get_by_test_id(f"asset-{key}")
    expect(row).to_contain_text("ready")
    expect(row).to_contain_text(rights)
    return row


def upload_welcome_prompt(page: Page, browser: Browser, folder: Path) -> None:
    """The welcome prompt through the Audio page: a progress bar, then ready and playable."""
    open_page(page, "Audio", "Upload audio")
    wav = write_test_wav(folder / "welcome.wav", seconds=4.0)
    fill_upload_form(
        page, wav, "welcome", "Velkomst", "prompt", "own_recording", "Optaget af receptionen"
    )
    # Slow the upload down so the progress bar is seen moving (64 kB at 32 kB/s).
    cdp = page.context.new_cdp_session(page)
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 32 * 1024},
    )
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_test_id("upload-progress")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Uploading \d+%"))).to_be_visible()
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    row = expect_ready(page, "welcome", "Own recording")
    # What the row's player plays, fetched whole and decoded by the browser. (Letting the
    # <audio> element load it would abort the download after the metadata, and the test
    # server reports the dropped connection as an unclosed file.)
    source = row.get_by_label("Play welcome").get_attribute("src")
    duration = page.evaluate(
        "async (src) => { const data = await (await fetch(src)).arrayBuffer();"
        " const audio = await new OfflineAudioContext(1, 1, 8000).decodeAudioData(data);"
        " return audio.duration; }",
        source,
    )
    assert 3.5 < duration < 4.5


def upload_hold_music(page: Page, folder: Path) -> None:
    """Hold music needs valid rights: here a royalty-free licence with its text."""
    wav = write_test_wav(folder / "hold.wav", seconds=3.0, hz=330.0)
    fill_upload_form(
        page, wav, "hold-default", "Ventemusik", "hold_music", "royalty_free", "Lydbiblioteket"
    )
    page.get_by_label("Licence text").fill("Fri brug i telefonkøer, også kommercielt.")
    page.get_by_label("This recording contains music").check()
    page.get_by_role("button", name="Upload", exact=True).click()
    expect_ready(page, "hold-default", "Royalty-free")


# --- The canvas ---------------------------------------------------------------------------


def add(page: Page, node_type: str, node_id: str) -> None:
    """A step from the palette; it is selected, and the side panel shows its form."""
    page.get_by_test_id(f"palette-{node_type}").click()
    expect(node(page, node_id)).to_be_visible()
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
    """Drag from the port's handle onto the target step's input."""
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
    edge = page.locator(f'.react-flow__edge[data-id="{source}:{port}"]')
    expect(edge).to_have_count(1)


def tidy(page: Page) -> None:
    page.get_by_role("button", name="Tidy layout").click()


def say(page: Page, group: str, text: str) -> None:
    """The text-to-speech field of a message group (menu message, announcement …)."""
    page.get_by_role("group", name=group).get_by_label("Text to speak").fill(text)


def add_items(page: Page, field: str, values: list[str]) -> None:
    """Items of a list field, one "+ Add" click each (``field`` may be the start of a
    longer label: "Mon" for "Monday")."""
    for index, value in enumerate(values, start=1):
        page.get_by_role("button", name=re.compile(rf"^\+ Add: {field}\w*$")).click()
        page.get_by_label(re.compile(rf"^{field}\w* {index}\b")).fill(value)


def saved(page: Page) -> None:
    expect(page.get_by_test_id("save-state")).to_have_text("All changes saved", timeout=10_000)


def no_findings(page: Page) -> None:
    page.get_by_test_id("tab-problems").click()
    expect(page.get_by_text("No problems found")).to_be_visible()


# --- Building the example main number, step by step -------------------------------------


def create_flow(page: Page, name: str, description: str) -> None:
    page.get_by_label("New flow name").fill(name)
    page.get_by_role("button", name="Create flow").click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    expect(page.get_by_text("Drag a step from the left to begin.")).to_be_visible()
    page.get_by_label("Description").fill(description)


def add_opening_hours(page: Page) -> None:
    """The first step becomes the entry: Monday to Thursday 8-16, Friday 8-15, Danish
    holidays (Christmas Eve is closed by default)."""
    add(page, "hours", "hours")
    expect(page.locator(".entry-note")).to_contain_text("The call starts here")
    for day in ("Mon", "Tue", "Wed", "Thu"):
        add_items(page, day, ["08:00-16:00"])
    add_items(page, "Fri", ["08:00-15:00"])
    page.get_by_label("Public holidays of").fill("DK")


def add_welcome(page: Page) -> None:
    """The uploaded prompt, with its rights shown next to the picker."""
    add(page, "play", WELCOME)
    page.get_by_label("Audio").select_option("welcome")
    expect(page.locator(".rights")).to_have_text(OWN_RECORDING)


def add_menu(page: Page) -> None:
    add(page, "menu", "menu")
    say(page, "Menu message", "Tryk 1 for salg. Tryk 2 for support.")
    for index, (digit, label) in enumerate((("1", "Salg"), ("2", "Support")), start=1):
        page.get_by_role("button", name="+ Add: Options").click()
        option = page.get_by_role("group", name=f"Options {index}")
        option.get_by_label("Key").select_option(digit)
        option.get_by_label("Label").fill(label)
        expect(page.get_by_test_id(f"port-menu-{digit}")).to_be_visible()
    page.get_by_label("Seconds to wait for a key").fill("6")
    page.get_by_label("Repeats after an invalid key or silence").fill("2")


def add_sales_queue(page: Page) -> None:
    add(page, "queue", SALES)
    page.get_by_label("Kind").select_option("basic")
    page.get_by_label("Queue name").fill("sales")
    page.get_by_label("Hold music").select_option("hold-default")
    say(
        page,
        "Announcement while waiting",
        "Alle vores sælgere er optaget. Du bliver stillet igennem snarest.",
    )
    page.get_by_label("Seconds between announcements").fill("60")
    page.get_by_label("Longest wait before overflow").fill("180")


def add_support_ring_group(page: Page) -> None:
    add(page, "ring_group", SUPPORT)
    add_items(page, "Members", ["+4520000001", "+4520000002", "sip:support@pbx.example.dk"])
    page.get_by_label("Ring strategy").select_option("sequential")
    page.get_by_label("Seconds to ring each member").fill("20")


def add_voicemail_without_box(page: Page) -> None:
    """The box is chosen later, to see the validator's error come and go."""
    add(page, "voicemail", "voicemail")
    page.get_by_label("Longest message").fill("120")


def add_message(page: Page, node_id: str, text: str) -> None:
    add(page, "play", node_id)
    page.get_by_label("Text to speak").fill(text)


def add_goodbye(page: Page) -> None:
    add(page, "hangup", GOODBYE)
    say(page, "Goodbye message", "Tak for din besked. Farvel.")


def wire(page: Page, source: str, targets: dict[str, str]) -> None:
    """Without a mouse: the selected step's Connections section, one select per port."""
    pick(page, source)
    connections = page.get_by_test_id("connections")
    for port, target in targets.items():
        connections.get_by_test_id(f"connect-{port}").select_option(target)
        expect(page.locator(f'.react-flow__edge[data-id="{source}:{port}"]')).to_have_count(1)


def connect_all(page: Page) -> None:
    """The opening hours' ports by dragging on the canvas, the rest from the side panel."""
    tidy(page)
    connect(page, "hours", "open", WELCOME)
    connect(page, "hours", "closed", CLOSED)
    connect(page, "hours", "holiday", HOLIDAY)
    tidy(page)
    wire(page, WELCOME, {"next": "menu"})
    wire(page, "menu", {"1": SALES, "2": SUPPORT, "fallback": "voicemail"})
    wire(page, SALES, {"overflow": "voicemail"})
    wire(page, SUPPORT, {"no_answer": "voicemail"})
    wire(page, CLOSED, {"next": "voicemail"})
    wire(page, HOLIDAY, {"next": "voicemail"})
    wire(page, "voicemail", {"next": GOODBYE})
    tidy(page)


def publish(page: Page, message: str, number: int) -> None:
    expect(page.get_by_test_id("publish")).to_be_enabled()
    page.get_by_test_id("publish").click()
    page.get_by_label("What changed").fill(message)
    page.get_by_role("button", name="Publish now").click()
    expect(page.get_by_test_id("notice")).to_have_text(f"Published as version {number}")


# --- The simulator ------------------------------------------------------------------------


def simulate(page: Page, when: str, digits: str = "", outcomes: tuple[str, ...] = ()) -> Locator:
    """One scripted call: a time, the keys pressed and the outcomes picked, in order."""
    page.get_by_test_id("tab-simulator").click()
    page.get_by_test_id("sim-at").fill(when)
    keypad, outcome_list = page.get_by_role("button", name="Clear").all()
    keypad.click()
    outcome_list.click()
    for digit in digits:
        page.get_by_role("button", name=f"key {digit}").click()
    for outcome in outcomes:
        page.get_by_role("combobox", name="Add outcome").select_option(outcome)
        page.get_by_role("button", name="Add outcome").click()
    page.get_by_role("button", name="Run the call").click()
    trace = page.get_by_test_id("sim-trace")
    expect(trace).to_be_visible()
    return trace


def go_to_step(trace: Locator, index: int) -> None:
    """Jump to a step of the path (-1: the last)."""
    steps = trace.locator(".path li")
    (steps.last if index == -1 else steps.nth(index)).get_by_role("button").click()


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


# --- Comparing with the example file --------------------------------------------------------


def relabelled(flow: FlowGraph) -> FlowGraph:
    """``flow`` with node ids by order of discovery from the entry (ports in name order)
    and no layout, so two flows built alike compare equal whatever their ids."""
    names: dict[str, str] = {}
    todo = deque([flow.entry])
    while todo:
        node_id = todo.popleft()
        if node_id in names:
            continue
        names[node_id] = f"n{len(names)}"
        todo.extend(flow.nodes[node_id].ports[port] for port in sorted(flow.nodes[node_id].ports))
    assert set(names) == set(flow.nodes), "every step is reached from the entry"
    nodes = {
        names[n.id]: Node(names[n.id], n.type, n.props, {p: names[t] for p, t in n.ports.items()})
        for n in flow.nodes.values()
    }
    return replace(flow, entry=names[flow.entry], nodes=nodes, layout={})


def exported(page: Page, site: Site, version: str) -> FlowGraph:
    """The flow file the API exports, fetched with the browser's session."""
    flow_id = re.search(r"#/flows/(\d+)", page.url)
    assert flow_id
    response = page.request.get(f"{site.url}/api/flows/{flow_id.group(1)}/export?version={version}")
    assert response.ok, response.text()
    return load_flow(response.text())


def test_build_the_example_main_number_publish_simulate_and_roll_back(
    fresh_site: Site, browser: Browser, tmp_path: Path
) -> None:
    site, page = fresh_site, browser.page
    sign_in(page, site)
    create_voicemail_box(page, "vm-main", "Hovednummer")
    upload_welcome_prompt(page, browser, tmp_path)
    upload_hold_music(page, tmp_path)
    browser.docs_shot("admin-audio")
    open_page(page, "Flows", "Flows")

    create_flow(page, "main_number", DESCRIPTION)
    add_opening_hours(page)
    add_welcome(page)
    add_menu(page)
    add_sales_queue(page)
    add_support_ring_group(page)
    add_voicemail_without_box(page)
    add_message(
        page,
        CLOSED,
        "Vi har lukket. Vi har åbent mandag til torsdag fra 8 til 16 og fredag fra 8 til 15.",
    )
    add_message(page, HOLIDAY, "Vi holder lukket i dag på grund af helligdag.")
    add_goodbye(page)
    connect_all(page)

    # Everything is wired; the voicemail step still lacks its box: one error, on that step.
    badge = page.get_by_test_id("badge-voicemail")
    expect(badge).to_have_class(re.compile("error"))
    expect(badge).to_have_attribute("title", re.compile('property "box"'))
    publish_button = page.get_by_role("button", name="Publish", exact=True)
    expect(publish_button).to_be_disabled()
    expect(publish_button).to_have_accessible_description("Fix 1 error(s) before publishing")
    page.get_by_test_id("tab-problems").click()
    problem = page.get_by_test_id("findings").get_by_role("button")
    expect(problem).to_have_count(1)
    expect(problem).to_have_text(re.compile(r'^voicemail · box: .*property "box": Missing data'))
    saved(page)
    browser.docs_shot("editor-validation")

    # Clicking the problem selects the step, centres it and opens its form.
    problem.click()
    expect(node(page, "voicemail")).to_have_class(re.compile("selected"))
    expect(page.locator(".props code")).to_have_text("voicemail")
    expect(page.locator(".field-problem")).to_contain_text('property "box"')
    canvas, step = (
        settled(page, page.locator(".react-flow")),
        settled(page, node(page, "voicemail")),
    )
    assert canvas
    assert step
    assert abs(canvas["x"] + canvas["width"] / 2 - (step["x"] + step["width"] / 2)) < 30
    assert abs(canvas["y"] + canvas["height"] / 2 - (step["y"] + step["height"] / 2)) < 60

    page.get_by_label("Voicemail box *").select_option("vm-main")
    expect(badge).to_have_count(0)
    expect(page.locator(".field-problem")).to_have_count(0)
    no_findings(page)
    tidy(page)
    pick(page, "menu")
    saved(page)
    browser.docs_shot("editor-canvas")
    publish(page, "First version", 1)

    # Christmas Eve is a holiday in Denmark: the holiday message, then voicemail.
    trace = simulate(page, "2026-12-24T10:00")
    expect(trace.locator(".path li")).to_have_text(
        ["hours → holiday", f"{HOLIDAY} → next", "voicemail → next", GOODBYE]
    )
    go_to_step(trace, -1)
    expect(page.get_by_test_id("sim-end")).to_have_text("Call ends: voicemail")
    expect(node(page, HOLIDAY)).to_have_class(re.compile("visited"))
    expect(node(page, "menu")).not_to_have_class(re.compile("visited"))

    # A Tuesday morning, key 1: the sales queue, where someone answers.
    trace = simulate(page, "2026-11-24T10:00", digits="1", outcomes=("answered",))
    expect(trace.locator(".path li")).to_have_text(
        ["hours → open", f"{WELCOME} → next", "menu → 1", f"{SALES} → answered"]
    )
    go_to_step(trace, 2)
    expect(page.get_by_test_id("sim-heard")).to_contain_text("Tryk 1 for salg.")
    go_to_step(trace, 3)
    expect(node(page, SALES)).to_have_class(re.compile("current"))
    expect(page.locator('.react-flow__edge[data-id="menu:1"]')).to_have_class(re.compile("taken"))
    expect(trace).to_contain_text("Outcome: answered")
    trace.get_by_text("TwiML", exact=True).click()
    expect(trace.locator(".twiml")).to_contain_text("<Enqueue")
    expect(trace.locator(".twiml")).to_contain_text(">sales</Enqueue>")
    expect(page.get_by_test_id("sim-end")).to_have_text("Call ends: answered")
    # A taller window, so the picture shows the whole panel: the call's script and its path.
    page.set_viewport_size({"width": 1440, "height": 1300})
    page.locator(".tab-body").evaluate("el => { el.scrollTop = 0; }")
    browser.docs_shot("editor-simulator")
    page.set_viewport_size({"width": 1440, "height": 900})

    # Three wrong keys: the menu asks three times, then takes its fallback.
    trace = simulate(page, "2026-11-24T10:00", digits="777")
    expect(trace.locator(".path li")).to_have_text(
        [
            "hours → open",
            f"{WELCOME} → next",
            "menu",
            "menu",
            "menu → fallback",
            "voicemail → next",
            GOODBYE,
        ]
    )
    go_to_step(trace, -1)
    expect(page.get_by_test_id("sim-end")).to_have_text("Call ends: voicemail")
    expect(page.locator('.react-flow__edge[data-id="menu:fallback"]')).to_have_class(
        re.compile("taken")
    )

    # A call to the reception number takes its live version; the support number
    # answers with another flow, listed with a link to open it.
    reception, support = route_numbers(site)
    page.get_by_test_id("tab-versions").click()
    page.get_by_test_id("tab-simulator").click()
    page.get_by_test_id("sim-target").select_option(str(reception))
    trace = simulate(page, "2026-11-24T10:00", digits="2")
    expect(page.get_by_test_id("sim-route")).to_have_text(
        "+4570121212 is answered by main_number, live version v1."
    )
    go_to_step(trace, 3)
    expect(node(page, SUPPORT)).to_have_class(re.compile("current"))
    expect(node(page, "menu")).to_have_class(re.compile("visited"))
    page.get_by_test_id("sim-target").select_option(str(support))
    trace = simulate(page, "2026-11-24T10:00")
    expect(trace.locator(".path")).to_contain_text("greeting")
    open_other = page.get_by_role("link", name="Open other_line")
    expect(open_other).to_have_attribute("href", re.compile(r"^#/flows/\d+$"))
    expect(page.locator(".react-flow__node.visited")).to_have_count(0)
    page.get_by_test_id("sim-target").select_option("")

    # A second version, then the versions panel: diff and roll back.
    pick(page, HOLIDAY)
    page.get_by_label("Text to speak").fill("Lukket på grund af helligdag.")
    saved(page)
    publish(page, "New holiday message", 2)
    page.get_by_test_id("tab-versions").click()
    expect(page.get_by_test_id("versions")).to_contain_text("New holiday message")
    expect(page.get_by_test_id("author-2")).to_have_text("by Admin")
    page.get_by_role("button", name="Show on canvas").click()
    expect(node(page, HOLIDAY)).to_have_class(re.compile("diff-changed"))
    expect(node(page, "menu")).not_to_have_class(re.compile("diff-"))
    browser.docs_shot("editor-versions-diff")
    page.get_by_role("button", name="Back to editing").click()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Roll back to this (v1)").click()
    expect(page.get_by_test_id("notice")).to_have_text("Rolled back: version 3 is live")

    # What is live now is the example file, up to node ids and layout.
    live = exported(page, site, "published")
    assert live.nodes[HOLIDAY].props["text"] == "Vi holder lukket i dag på grund af helligdag."
    difference = diff_flows(relabelled(load_flow(EXAMPLE)), relabelled(live))
    assert difference.empty, format_diff(difference)
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
    expect(page.locator(".rights")).to_have_text(OWN_RECORDING)
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
