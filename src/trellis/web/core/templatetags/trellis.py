"""Template helpers: numbers, scores and status badges (words and colour together)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format

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


@register.inclusion_tag("core/status.html")
def status(cell: Any) -> dict[str, Any]:
    """A status badge: colour, a shape and the status in words."""
    return {"cell": cell}
