"""A person's way through the product, in a real browser against a real server."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser


def test_organization_to_unit_to_measure_and_period(page: Any, server: str) -> None:
    assert page.title() == "Organization · Trellis"
    page.get_by_role("link", name="Retail Stores").click()
    page.wait_for_url(f"{server}/units/retail/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Retail Stores")
    page.get_by_role("link", name="Store revenue").click()
    page.wait_for_url(f"{server}/measures/REV_RETAIL/")
    page.wait_for_selector("#chart .main-svg")  # Plotly drew the chart from local files
    page.get_by_role("link", name="2026-Q4").first.click()
    page.wait_for_url(f"{server}/measures/REV_RETAIL/?period=2026-Q4")
    assert page.locator(".summary").inner_text().endswith("· FY2026 Q4 · Jan–Mar 2026")
    assert page.locator("#period-name").inner_text() == "FY2026 Q4 · Jan–Mar 2026"
    breadcrumb = page.get_by_role("navigation", name="Breadcrumb")
    breadcrumb.get_by_role("link", name="Acme Corporation").click()
    page.wait_for_url(f"{server}/units/acme/")


def test_strategy_map_arrow_leads_to_its_objective(page: Any, server: str) -> None:
    page.goto(f"{server}/units/acme/map/")
    arrows = page.locator("svg.strategy-map path.drive")
    assert arrows.count() == 7
    page.get_by_role("list").get_by_role(
        "link", name="Delight and keep our customers"
    ).first.click()
    page.wait_for_url(f"{server}/objectives/ACME_C1/")
    assert page.get_by_role("heading", level=1).inner_text() == "Delight and keep our customers"


def test_status_is_shown_in_words_and_colour(page: Any, server: str) -> None:
    page.goto(f"{server}/units/acme/?period=2026-03")
    badge = page.locator(".status-green").first
    assert badge.inner_text().strip() == "On target"
    green = badge.evaluate("e => getComputedStyle(e).backgroundColor")
    red = page.locator(".status-red").first
    assert red.inner_text().strip().startswith("Off target")
    assert red.evaluate("e => getComputedStyle(e).backgroundColor") != green
    assert green == "rgb(218, 251, 225)"


def test_keyboard_reaches_the_content(page: Any, server: str) -> None:
    page.goto(f"{server}/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to content"


def test_a_viewer_cannot_open_a_sibling_unit(browser: Any, server: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server}/login/")
    assert "This is the demo installation" in page.locator(".notice").inner_text()
    page.fill("#id_username", "viewer")
    page.fill("#id_password", "demo")
    page.click("button[type=submit]")
    response = page.goto(f"{server}/units/online/")
    assert response.status == 404
    context.close()


def test_change_history_loads_with_htmx_when_scrolled_into_view(page: Any, server: str) -> None:
    page.goto(f"{server}/units/store_oslo/")
    page.mouse.wheel(0, 10000)  # the placeholder is swapped once it is revealed
    page.wait_for_selector("section.history table")  # swapped in by htmx from local files
    assert page.locator("section.history th").first.inner_text() == "When"
