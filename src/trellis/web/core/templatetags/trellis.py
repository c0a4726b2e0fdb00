"""Template helpers: numbers, scores and status badges (words and colour together)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join

register = template.Library()


@register.filter
def num(value: Any, decimals: Any = 2) -> str:
    """A locale-formatted number, or an em dash for a missing one."""
    if value is None or value == "":
        return "—"
    return number_format(
        float(value), decimal_pos=int(decimals), use_l10n=True, force_grouping=True
    )


@register.filter
def score(value: Any) -> str:
    """A score with one decimal, or an em dash."""
    return num(value, 1)


@register.simple_tag
def status(cell: Any) -> str:
    """A status badge: colour, a shape and the status in words (flags in words too)."""
    flags = format_html_join(
        "",
        ' <span class="flag">({})</span>',
        ((word,) for word, on in (("stale", cell.stale), ("partial", cell.partial)) if on),
    )
    return format_html(
        '<span class="status status-{}"><span class="status-mark" aria-hidden="true"></span>'
        "{}{}</span>",
        cell.status,
        cell.status_word,
        flags,
    )
