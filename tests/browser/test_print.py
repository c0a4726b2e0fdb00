"""Printing: unit scorecards and strategy maps fit an A4 or Letter page, content only."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser

PRINTABLE = {"A4": 703, "Letter": 725}
"""Printable width in CSS pixels (96 per inch) of each paper less 12 mm margins."""


@pytest.mark.parametrize("paper", ["A4", "Letter"])
@pytest.mark.parametrize("path", ["/units/retail/", "/units/acme/map/"])
def test_a_printed_page_fits_the_paper_and_shows_no_navigation(
    page: Any, server: str, path: str, paper: str
) -> None:
    page.set_viewport_size({"width": PRINTABLE[paper], "height": 1000})
    page.goto(f"{server}{path}?period=2026-Q4")
    page.emulate_media(media="print")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{path} is {overflow}px wider than {paper}"
    assert not page.locator("header.top").is_visible()
    assert not page.locator("form.period").is_visible()
    assert page.locator("main h1").is_visible()
    # Print type (10 pt), and neither sparklines nor page actions on paper.
    assert page.evaluate("getComputedStyle(document.body).fontSize") == "13.3333px"
    for hidden in (".spark", "nav.actions"):
        assert all(not item.is_visible() for item in page.locator(hidden).all()), hidden
    pdf = page.pdf(format=paper)
    assert pdf.startswith(b"%PDF")
