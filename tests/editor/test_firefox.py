"""The editor in Debian's Firefox ESR (issue #7), driven over Firefox's built-in
WebDriver BiDi: sign in, the flows list, the main flow's canvas, the inbox, and not one
console error on the way."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from ivr_designer.callflows.documents import canonical_document, parse_document
from ivr_designer.models import Flow
from tests.conftest import simple_flow_document
from tests.editor.bidi import BiDi, firefox
from tests.editor.conftest import EMAIL, PASSWORD, Site
from tests.editor.test_admin_e2e import seed_inbox

# React keeps its own copy of an input's value: set it through the native setter and
# announce it with an input event, as typing would.
FILL = """((selector, value) => {
    const input = document.querySelector(selector);
    const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
    setter.call(input, value);
    input.dispatchEvent(new Event('input', { bubbles: true }));
    return input.value;
})"""


@pytest.fixture
def bidi() -> Iterator[tuple[BiDi, str]]:
    with firefox() as client:
        context = client.command("browsingContext.getTree")["contexts"][0]["context"]
        client.command("session.subscribe", {"events": ["log.entryAdded"]})
        # The console channel works: an error logged by a page reaches us.
        client.evaluate(context, "console.error('bidi-probe')")
        client.pump(0.3)
        assert [e["text"] for e in client.log_entries("error")] == ["bidi-probe"]
        client.events.clear()
        yield client, context


def seed_flow(site: Site) -> int:
    with Session(site.engine) as session:
        document = simple_flow_document("main_number", box="vm-main")
        draft = canonical_document(parse_document(document))
        flow = Flow(org_id=site.org_id, name="main_number", draft=draft)
        session.add(flow)
        session.commit()
        return flow.id


def text_of(selector: str) -> str:
    return f"document.querySelector({json.dumps(selector)})?.textContent ?? ''"


def test_editor_in_firefox(site: Site, bidi: tuple[BiDi, str]) -> None:
    client, ctx = bidi
    flow_id = seed_flow(site)
    voicemail_id, _ = seed_inbox(site)

    client.command(
        "browsingContext.navigate",
        {"context": ctx, "url": f"{site.url}/editor/", "wait": "complete"},
    )
    assert client.wait_for(ctx, text_of("form.login h1")) == "Sign in"
    assert client.evaluate(ctx, f"{FILL}('input[type=email]', {json.dumps(EMAIL)})") == EMAIL
    assert client.evaluate(ctx, f"{FILL}('input[type=password]', {json.dumps(PASSWORD)})")
    client.evaluate(ctx, "document.querySelector('form.login button[type=submit]').click()")

    # The flows list, with the seeded flow in it.
    assert client.wait_for(ctx, text_of("section.flows h1")) == "Flows"
    link = f"section.flows a[href='#/flows/{flow_id}']"
    assert client.wait_for(ctx, text_of(link)) == "main_number"
    assert client.evaluate(ctx, text_of(".topbar .who")) == "Admin"

    # The main flow: React Flow draws its nodes on the canvas.
    client.evaluate(ctx, f"document.querySelector({json.dumps(link)}).click()")
    count = "document.querySelectorAll('.react-flow__node').length"
    assert client.wait_for(ctx, count) > 0
    ids = client.evaluate(
        ctx,
        "JSON.stringify([...document.querySelectorAll('.react-flow__node')]"
        ".map((n) => n.getAttribute('data-id')).sort())",
    )
    assert json.loads(ids) == ["end", "greeting", "vm"]
    visible = "[...document.querySelectorAll('.react-flow__node')].every((n) => n.offsetWidth > 0)"
    assert client.evaluate(ctx, visible) is True

    # The inbox, with the seeded voicemail.
    client.evaluate(ctx, "document.querySelector('.mainnav a[href=\"#/inbox\"]').click()")
    item = f"[data-testid='voicemail-{voicemail_id}']"
    assert "+4512345678" in client.wait_for(ctx, text_of(item))
    assert "Hovednummer" in client.evaluate(ctx, text_of(item))
    assert client.evaluate(ctx, text_of(".mainnav a[aria-current=page]")) == "Inbox"

    # Let late requests and renders finish, then: no console errors, no page exceptions.
    client.pump(1.0)
    errors = [f"{e['type']}: {e['text']}" for e in client.log_entries("error")]
    assert errors == []
