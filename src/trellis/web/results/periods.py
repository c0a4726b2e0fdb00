"""The period a page shows."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import HttpRequest
from django.utils.translation import gettext as _

from trellis.web.results import services


@dataclass
class PeriodChoice:
    """The period a page shows, chosen with ``?period=`` (default: the organization's
    reporting month)."""

    label: str
    grain: str
    error: str = ""
    options: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The period as people read it (``FY2026 Q4 · Jan–Mar 2026``)."""
        return services.describe_period(self.label)


def chosen_period(request: HttpRequest) -> PeriodChoice:
    """Read and check ``?period=``; fall back to the reporting month (the last closed
    month, never the latest month that happens to have a value)."""
    reporting = services.reporting_label()
    wanted = request.GET.get("period", "").strip()
    if wanted:
        parsed = services.parse_period(wanted)
        if parsed is not None:
            return PeriodChoice(parsed[1], parsed[0], options=_options(reporting))
        error = _("'%(wanted)s' is not a period; showing the reporting month %(latest)s") % {
            "wanted": wanted,
            "latest": reporting,
        }
    else:
        error = ""
    return PeriodChoice(reporting, "month", error, _options(reporting))


def _options(latest: str) -> list[str]:
    return services.period_options(latest) if latest else []
