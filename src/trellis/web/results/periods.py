"""The period a page shows."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import HttpRequest
from django.utils.translation import gettext as _

from trellis.web.results import services


@dataclass
class PeriodChoice:
    """The period a page shows, chosen with ``?period=`` (default: the latest month with data)."""

    label: str
    grain: str
    error: str = ""
    options: list[str] = field(default_factory=list)


def chosen_period(request: HttpRequest) -> PeriodChoice:
    """Read and check ``?period=``; fall back to the latest month with data."""
    latest = services.latest_period() or ""
    wanted = request.GET.get("period", "").strip()
    if wanted:
        parsed = services.parse_period(wanted)
        if parsed is not None:
            return PeriodChoice(parsed[1], parsed[0], options=_options(latest))
        error = _("'%(wanted)s' is not a period; showing %(latest)s") % {
            "wanted": wanted,
            "latest": latest,
        }
    else:
        error = ""
    parsed = services.parse_period(latest) if latest else None
    grain = parsed[0] if parsed else "month"
    return PeriodChoice(latest, grain, error, _options(latest))


def _options(latest: str) -> list[str]:
    return services.period_options(latest) if latest else []
