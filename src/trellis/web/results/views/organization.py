"""The organization's pages: the unit tree with its scores, and the exceptions of the
period."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trellis.web.results import services
from trellis.web.results.models import MeasureSeries, PerspectiveSeries, UnitSeries
from trellis.web.results.reading import cell
from trellis.web.results.views.base import (
    ResultsPage,
    perspectives,
    series_by,
)
from trellis.web.scorecards.models import Measure, Unit


class HomePage(ResultsPage):
    """The unit tree with overall and per-perspective scores, and a heatmap."""

    content_template = "results/home_content.html"
    title = gettext_lazy("Organization")

    def levels(self) -> int:
        """How many tiers of units the page lists (``?levels=``, 1 to 12, default 3)."""
        try:
            return min(max(int(self.request.GET.get("levels", "3")), 1), 12)
        except ValueError:
            return 3

    def only_off_target(self) -> bool:
        """``?only=off``: only the units off target or with units off target below."""
        return self.request.GET.get("only") == "off"

    def query_key(self) -> str:
        return f"{self.levels()}|{self.only_off_target()}"

    def add_content(self, context: dict[str, Any]) -> None:
        period = context["period"]
        visible = Unit.objects.restrict(self.request.user)
        top = visible.order_by("depth").values_list("depth", flat=True).first() or 0
        levels = self.levels()
        # Large organizations: the first tiers here, the rest one click down each unit.
        # Rows follow the tree: each unit under its parent, subtrees together.
        units = list(visible.filter(depth__lt=top + levels).order_by("path"))
        context["levels"] = levels
        context["hidden"] = visible.filter(depth__gte=top + levels).count()
        ids = [u.pk for u in units]
        overall = series_by(UnitSeries, period.grain, unit__in=ids)
        by_section = {
            (s.unit_id, s.perspective): s
            for s in PerspectiveSeries.objects.filter(grain=period.grain, unit__in=ids)
        }
        shown = perspectives(context)
        below = off_target_below(visible, period, {u.path for u in units})
        context["perspectives"] = shown
        context["only_off"] = self.only_off_target()
        rows = [
            {
                "unit": u,
                "indent": u.depth - top,
                "overall": cell(overall.get(u.pk), period.label),
                "sections": [cell(by_section.get((u.pk, p["code"])), period.label) for p in shown],
                "off_below": below.get(u.path, 0),
            }
            for u in units
        ]
        if context["only_off"]:
            rows = [r for r in rows if r["overall"].status == "red" or r["off_below"]]
        context["rows"] = rows


def off_target_below(visible: Any, period: Any, paths: set[str]) -> dict[str, int]:
    """For each of ``paths`` (units listed), how many units below it — at any depth, among
    those the reader may see — are off target in the period."""
    counts: dict[str, int] = {}
    for path, periods, statuses in (
        UnitSeries.objects.filter(grain=period.grain, unit__in=visible)
        .values_list("unit__path", "periods", "status")
        .iterator(chunk_size=2000)
    ):
        if period.label not in periods or statuses[periods.index(period.label)] != "red":
            continue
        parts = path.strip("/").split("/")
        for depth in range(1, len(parts)):  # every proper ancestor's path
            above = "/" + "/".join(parts[:depth]) + "/"
            if above in paths:
                counts[above] = counts.get(above, 0) + 1
    return counts


COMPUTED = ("formula", "rollup")
"""Sources whose values are computed: a missing one is its inputs' (listed themselves)."""


class ExceptionsPage(ResultsPage):
    """What needs attention in the period: measures off target, stale, missing their value,
    or showing a special-cause signal on their control chart — the raw material of a review
    agenda."""

    content_template = "results/exceptions_content.html"
    title = gettext_lazy("Exceptions")

    def add_content(self, context: dict[str, Any]) -> None:
        period = context["period"]
        measures = Measure.objects.restrict(self.request.user).filter(active=True)
        rows = list(
            MeasureSeries.objects.filter(grain=period.grain, measure__in=measures)
            .select_related("measure__unit")
            .order_by("measure__position")
        )
        signals: list[list[int]] = [[] for _ in rows]
        if period.grain == "month" and rows and period.label in rows[0].periods:
            column = rows[0].periods.index(period.label)
            signals = services.special_causes([r.value for r in rows], column)
        items = []
        for series, rules in zip(rows, signals, strict=True):
            c = cell(series, period.label)
            reasons = []
            if c.value is None and series.measure.source not in COMPUTED:
                reasons.append(_("missing: no value for this period yet"))
            if c.status == "red":
                reasons.append(_("off target"))
            if c.stale:
                reasons.append(_("stale"))
            if c.trend == "down" and c.status in ("red", "amber"):
                reasons.append(_("deteriorating"))
            if rules:
                reasons.append(
                    _("special cause (Western Electric rule %(rules)s)")
                    % {"rules": ", ".join(str(r) for r in rules)}
                )
            if reasons:
                items.append({"measure": series.measure, "cell": c, "reasons": reasons})
        context["items"] = items
