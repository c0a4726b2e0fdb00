"""Entering data in a real browser: the grid checks each row as it is typed (htmx)."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser


def test_the_entry_grid_checks_a_value_when_leaving_the_cell(page: Any, server: str) -> None:
    page.goto(f"{server}/data/updates/")
    page.get_by_role("link", name="Enter values for 2026-04 early").click()
    cell = page.get_by_label("Value of NPS_RETAIL 2026-04")
    cell.fill("12.5")
    cell.press("Tab")  # a change: htmx asks the server about this row
    problems = page.locator("#p-NPS_RETAIL__2026-04")
    problems.locator(".error").wait_for()
    assert problems.locator(".error").inner_text() == "12.5 is not a whole number"
    cell.fill("41")
    cell.press("Tab")
    problems.locator(".ok").wait_for()
    assert problems.inner_text().strip() == "looks right"
