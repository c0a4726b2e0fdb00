"""An objective's pages: its roll-up explained, and its cascade down the units."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from trellis.web.results import services
from trellis.web.results.models import MeasureSeries, ObjectiveSeries
from trellis.web.results.reading import Cell, cell
from trellis.web.results.views.base import (
    ResultsObjectPage,
    series_by,
    unit_crumbs,
)
from trellis.web.scorecards.models import Link, Measure, Objective


class ObjectivePage(ResultsObjectPage):
    """An objective: its roll-up explained, its measures and the objectives supporting it."""

    model = Objective
    content_template = "results/objective_content.html"

    def breadcrumbs(self, context: dict[str, Any]) -> list[tuple[str, str]]:
        o = self.object
        return [*unit_crumbs(o.unit), (o.name, reverse("objective", args=[o.code]))]

    def add_content(self, context: dict[str, Any]) -> None:
        o, period, user = self.object, context["period"], self.request.user
        context["cell"] = cell(
            ObjectiveSeries.objects.filter(grain=period.grain, objective=o).first(), period.label
        )
        context["explanation"] = self.evaluated(
            context, lambda: services.explain(o.code, period.label, user), ""
        )
        measures = list(Measure.objects.restrict(user).filter(objective=o).order_by("position"))
        m_series = series_by(MeasureSeries, period.grain, measure__in=[m.pk for m in measures])
        context["measures"] = [(m, cell(m_series.get(m.pk), period.label)) for m in measures]
        children = list(
            Objective.objects.restrict(user)
            .filter(links_out__kind=Link.SUPPORTS, links_out__target=o)
            .select_related("unit")
        )
        c_series = series_by(ObjectiveSeries, period.grain, objective__in=[c.pk for c in children])
        context["children"] = [(c, cell(c_series.get(c.pk), period.label)) for c in children]
        context["supports"] = Objective.objects.restrict(user).filter(
            links_in__kind=Link.SUPPORTS, links_in__source=o
        )


class CascadePage(ResultsObjectPage):
    """One objective traced down through every unit that supports it."""

    model = Objective
    content_template = "results/cascade_content.html"

    def breadcrumbs(self, context: dict[str, Any]) -> list[tuple[str, str]]:
        o = self.object
        return [
            *unit_crumbs(o.unit),
            (o.name, reverse("objective", args=[o.code])),
            (_("Cascade"), reverse("cascade", args=[o.code])),
        ]

    def add_content(self, context: dict[str, Any]) -> None:
        period = context["period"]
        visible = Objective.objects.restrict(self.request.user).select_related("unit")
        # Only the objectives under this one, one tier of the cascade per query.
        found: dict[int, Objective] = {self.object.pk: self.object}
        children: dict[int, list[int]] = {}
        frontier = [self.object.pk]
        while frontier:
            links = list(
                Link.objects.filter(kind=Link.SUPPORTS, target__in=frontier, source__in=visible)
                .exclude(source__in=list(found))
                .select_related("source__unit")
            )
            for link in links:
                children.setdefault(link.target_id, []).append(link.source_id)
                found[link.source_id] = link.source
            frontier = [link.source_id for link in links]
        o_series = series_by(ObjectiveSeries, period.grain, objective__in=list(found))
        rows: list[tuple[int, Objective, Cell]] = []

        def walk(pk: int, depth: int) -> None:
            rows.append((depth, found[pk], cell(o_series.get(pk), period.label)))
            for child in children.get(pk, []):
                walk(child, depth + 1)

        walk(self.object.pk, 0)
        context["rows"] = rows
