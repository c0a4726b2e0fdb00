"""A unit's pages: its scorecard and its strategy map."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from trellis.web.results import layout, services
from trellis.web.results.models import MeasureSeries, ObjectiveSeries, PerspectiveSeries, UnitSeries
from trellis.web.results.reading import cell, sparkline
from trellis.web.results.views.base import (
    ResultsObjectPage,
    perspectives,
    series_by,
    unit_crumbs,
)
from trellis.web.scorecards.models import Link, Measure, Objective, Unit


class UnitPage(ResultsObjectPage):
    """A unit's scorecard: perspectives → objectives → measures."""

    model = Unit
    unit_results = True
    content_template = "results/unit_content.html"

    def breadcrumbs(self, context: dict[str, Any]) -> list[tuple[str, str]]:
        return unit_crumbs(self.object)

    def add_content(self, context: dict[str, Any]) -> None:
        unit, period, user = self.object, context["period"], self.request.user
        objectives = list(unit.objectives.filter(active=True).order_by("position"))
        measures = list(
            Measure.objects.restrict(user)
            .filter(objective__in=objectives, active=True)
            .order_by("position")
        )
        o_series = series_by(
            ObjectiveSeries, period.grain, objective__in=[o.pk for o in objectives]
        )
        m_series = series_by(MeasureSeries, period.grain, measure__in=[m.pk for m in measures])
        s_series = {
            s.perspective: s
            for s in PerspectiveSeries.objects.filter(grain=period.grain, unit=unit)
        }
        rows_by_objective: dict[int, list[dict[str, Any]]] = {}
        measure_url = reverse("measure", args=["CODE"]).removesuffix("CODE/")
        for m in measures:
            c = cell(m_series.get(m.pk), period.label)
            rows_by_objective.setdefault(m.objective_id, []).append(
                {
                    "measure": m,
                    "cell": c,
                    "spark": sparkline(c.history),
                    "href": f"{measure_url}{m.code}/",
                    "unit_of_measure": m.unit_of_measure,
                    "decimals": m.decimals,
                }
            )
        context["sections"] = [
            {
                "perspective": p,
                "cell": cell(s_series.get(p["code"]), period.label),
                "objectives": [
                    {
                        "objective": o,
                        "cell": cell(o_series.get(o.pk), period.label),
                        "measures": rows_by_objective.get(o.pk, []),
                    }
                    for o in objectives
                    if o.perspective == p["code"]
                ],
            }
            for p in perspectives(context)
        ]
        _weigh(context["sections"], unit.definition.get("perspective_weights") or {})
        context["overall"] = cell(
            UnitSeries.objects.filter(grain=period.grain, unit=unit).first(), period.label
        )
        context["supports"] = (
            Objective.objects.restrict(user)
            # Through the unit's own objectives (a subquery): joined to the links' source
            # unit instead, SQLite walked every cascade link (160 ms on the enterprise).
            .filter(
                links_in__kind=Link.SUPPORTS,
                links_in__source__in=Objective.objects.filter(unit=unit),
            )
            .select_related("unit")
            .distinct()
        )
        context["children"] = Unit.objects.restrict(user).filter(parent=unit).order_by("position")


class StrategyMapPage(ResultsObjectPage):
    """The unit's strategy map as server-rendered SVG."""

    model = Unit
    unit_results = True
    content_template = "results/strategy_map_content.html"

    def breadcrumbs(self, context: dict[str, Any]) -> list[tuple[str, str]]:
        return [
            *unit_crumbs(self.object),
            (_("Strategy map"), reverse("strategy-map", args=[self.object.code])),
        ]

    def add_content(self, context: dict[str, Any]) -> None:
        unit, period = self.object, context["period"]
        objectives = list(unit.objectives.filter(active=True).order_by("position"))
        o_series = series_by(
            ObjectiveSeries, period.grain, objective__in=[o.pk for o in objectives]
        )
        cells = {o.pk: cell(o_series.get(o.pk), period.label) for o in objectives}
        links = list(
            Link.objects.filter(
                kind=Link.DRIVES, source__in=objectives, target__in=objectives
            ).select_related("source", "target")
        )
        pairs = [(link.source.code, link.target.code) for link in links]
        no_evidence: dict[tuple[str, str], Any] = {}
        found = self.evaluated(context, lambda: services.link_evidence(pairs), no_evidence)
        context["map"] = layout.strategy_map(
            perspectives(context),
            objectives,
            cells,
            [(link.source_id, link.target_id) for link in links],
            {
                (link.source_id, link.target_id): found.get((link.source.code, link.target.code))
                for link in links
            },
        )


def _weigh(sections: list[dict[str, Any]], overrides: dict[str, float]) -> None:
    """Each perspective's weight in the unit's score (the unit's own, else the
    organization's) and its share of the score in the period: the weights of the
    perspectives that have a score, renormalized (one without a score is left out)."""
    for section in sections:
        code = section["perspective"]["code"]
        section["weight"] = float(overrides.get(code, section["perspective"].get("weight", 1.0)))
    scored = sum(s["weight"] for s in sections if s["cell"].score is not None)
    for section in sections:
        has_score = section["cell"].score is not None and scored > 0
        section["share"] = section["weight"] / scored if has_score else None
