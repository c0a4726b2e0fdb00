"""Colour contrast of the stylesheet's text/background pairs meets WCAG AA (4.5:1)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = (Path(__file__).parents[3] / "src/trellis/web/core/static/trellis/trellis.css").read_text(
    encoding="utf-8"
)
VARIABLES = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", CSS))


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two colours."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_contrast_formula() -> None:
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#777777", "#ffffff"), 2) == 4.48


@pytest.mark.parametrize(
    ("text", "background"),
    [
        ("ink", "bg"),
        ("muted", "bg"),
        ("link", "bg"),
        ("muted", "band"),
        ("ink", "band"),
        ("green", "green-bg"),
        ("amber", "amber-bg"),
        ("red", "red-bg"),
        ("grey", "grey-bg"),
        ("ink", "green-bg"),
        ("ink", "amber-bg"),
        ("ink", "red-bg"),
        ("ink", "grey-bg"),
    ],
)
def test_text_colours_meet_aa(text: str, background: str) -> None:
    assert contrast(VARIABLES[text], VARIABLES[background]) >= 4.5


def test_the_header_text_meets_aa() -> None:
    header = re.search(r"\.top \{[^}]*background: (#[0-9a-fA-F]{6})", CSS)
    assert header is not None
    assert contrast("#ffffff", header.group(1)) >= 4.5
