"""Template helpers: numbers, scores and status badges (words and colour together)."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from trellis.web.core.numbers import shown_score

register = template.Library()


@register.filter
def num(value: Any, decimals: Any = 2) -> str:
    """A locale-formatted number, or an em dash for a missing one."""
    if value is None or value == "" or not math.isfinite(float(value)):
        return "—"
    places = int(decimals)
    # Django's number_format cuts digits off; round half up first (on the shortest decimal
    # form of the float, so 2.675 shows as 2.68 the way a reader expects).
    exact = Decimal(repr(float(value)))
    step = Decimal(1).scaleb(-places)
    if abs(exact) < HUGE:
        rounded = exact.quantize(step, ROUND_HALF_UP)
    else:  # more digits than the default context holds (values stored before limits)
        with localcontext(Context(prec=WIDE_PRECISION)):
            rounded = exact.quantize(step, ROUND_HALF_UP)
    return number_format(rounded, decimal_pos=places, use_l10n=True, force_grouping=True)


HUGE = Decimal("1e15")
WIDE_PRECISION = 340  # digits of the largest float (1.8e308) and ten decimal places


@register.filter
def score(value: Any) -> str:
    """A score with one decimal (cut, never rounded into a better band), or an em dash."""
    if value is None or value == "" or not math.isfinite(float(value)):
        return "—"
    return num(shown_score(float(value), 1), 1)


@register.filter
def percent(value: Any) -> str:
    """A share (0.25) as a percentage with one decimal (25.0%), or an em dash."""
    if value is None or value == "" or not math.isfinite(float(value)):
        return "—"
    return num(float(value) * 100, 1) + "%"


@register.filter
def index(value: Any) -> str:
    """A capability index with two decimals; none means a process without variation."""
    return "∞ (no variation)" if value is None else num(value, 2)


STALE, PARTIAL = gettext_noop("stale"), gettext_noop("partial")  # translated when shown
TREND_WORDS = {
    "up": gettext_lazy("▲ up"),
    "down": gettext_lazy("▼ down"),
    "flat": gettext_lazy("▶ flat"),
}


@register.simple_tag
def measure_row(row: dict[str, Any]) -> str:
    """One measure's row of a unit scorecard, built in one go (the hot path of the page)."""
    c, decimals = row["cell"], row["decimals"]
    trend = ""
    if c.trend:
        trend = format_html(
            '<span class="trend trend-{}" title="score {} since the previous period">{}</span>',
            c.trend,
            c.trend,
            TREND_WORDS[c.trend],
        )
    spark = ""
    if row["spark"]:
        spark = format_html(
            ' <svg class="spark" viewBox="0 0 80 18" width="80" height="18" role="img" '
            'aria-label="recent values"><polyline points="{}"/></svg>',
            row["spark"],
        )
    return format_html(
        '<tr><th scope="row"><a href="{}">{}</a></th>'
        '<td class="number">{} <span class="uom">{}</span></td><td class="number">{}</td>'
        '<td class="number">{}</td><td class="number">{}</td><td>{}</td><td>{}{}</td></tr>',
        row["href"],
        row["measure"].name,
        num(c.value, decimals),
        row["unit_of_measure"],
        num(c.target, decimals),
        num(c.variance, decimals),
        score(c.score),
        status(c),
        trend,
        spark,
    )


@register.simple_tag
def observation_rows(observations: Any, decimals: int, sources: Any) -> str:
    """The rows of a measure's data table, built in one go (up to 60 rows per page) from
    (period, segment, value, comment, source) tuples; ``sources`` names the source codes."""
    names = {code: str(label) for code, label in sources}
    rows = format_html_join(
        "\n",
        '<tr><td>{}</td><td>{}</td><td class="number">{}</td><td>{}</td><td>{}</td></tr>',
        (
            (period, segment, num(value, decimals), comment, names.get(source, source))
            for period, segment, value, comment, source in observations
        ),
    )
    return rows or format_html('<tr><td colspan="5">{}</td></tr>', _("No data yet."))


@register.simple_tag
def status(cell: Any) -> str:
    """A status badge: colour, a shape and the status in words (flags in words too)."""
    flags = format_html_join(
        "",
        ' <span class="flag">({})</span>',
        ((_(word),) for word, on in ((STALE, cell.stale), (PARTIAL, cell.partial)) if on),
    )
    return format_html(
        '<span class="status status-{}"><span class="status-mark" aria-hidden="true"></span>'
        "{}{}</span>",
        cell.status,
        cell.status_word,
        flags,
    )


@register.filter
def get(mapping: Any, key: str) -> Any:
    """``mapping[key]``, or None when the mapping is empty or lacks the key."""
    return mapping.get(key) if mapping else None
