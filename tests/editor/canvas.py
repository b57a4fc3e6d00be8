"""Browser steps the editor tests share: signing in, finding and selecting a step."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from tests.editor.conftest import EMAIL, PASSWORD, Site


def sign_in(page: Page, site: Site) -> None:
    page.goto(f"{site.url}/editor/")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Flows")).to_be_visible()


def node(page: Page, node_id: str) -> Locator:
    return page.get_by_test_id(f"node-{node_id}")


def pick(page: Page, node_id: str) -> None:
    """Select a step on the canvas; the side panel shows its form."""
    node(page, node_id).locator(".ivr-node-head").click()
    page.get_by_test_id("tab-props").click()
    expect(page.locator(".props code")).to_have_text(node_id)
