"""A measure's page, and the change history of a unit, objective or measure."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from trellis.web.core.history import audit_trail
from trellis.web.core.querysets import allowed_paths
from trellis.web.core.roles import Action
from trellis.web.observations.models import Observation
from trellis.web.observations.services.trail import data_trail
from trellis.web.results import services
from trellis.web.results.models import MeasureSeries
from trellis.web.results.reading import cell
from trellis.web.results.views.base import (
    ResultsObjectPage,
    unit_crumbs,
)
from trellis.web.scorecards.models import Measure, Objective, Unit
from trellis.web.scorecards.services import definitions


class MeasurePage(ResultsObjectPage):
    """A measure: chart, data table, definition, explanation of the score, history."""

    model = Measure
    related = ("unit", "objective")
    unit_results = True
    needs_chart = True
    content_template = "results/measure_content.html"

    def breadcrumbs(self, context: dict[str, Any]) -> list[tuple[str, str]]:
        m = self.object
        return [
            *unit_crumbs(m.unit),
            (m.objective.name, reverse("objective", args=[m.objective.code])),
            (m.name, reverse("measure", args=[m.code])),
        ]

    def actions(self) -> list[tuple[str, str]]:
        editable = allowed_paths(self.request.user, Action.EDIT_DEFINITIONS)
        if editable is None or any(self.object.unit.path.startswith(p) for p in editable):
            return [(_("Edit definition"), reverse("measure-edit", args=[self.object.code]))]
        return []

    def add_content(self, context: dict[str, Any]) -> None:
        m, period = self.object, context["period"]
        series = MeasureSeries.objects.filter(grain=period.grain, measure=m).first()
        context["cell"] = cell(series, period.label)
        context["decimals"] = m.decimals
        context["unit_of_measure"] = m.unit_of_measure
        context["explanation"] = self.evaluated(
            context, lambda: services.explain(m.code, period.label, self.request.user), ""
        )
        no_chart: dict[str, Any] = {}
        context["chart"] = self.evaluated(
            context, lambda: services.chart(m.code, period.grain), no_chart
        )
        context["observations"] = m.observations.order_by("-end_month", "segment").values_list(
            "period", "segment", "value", "comment", "source"
        )[:60]
        context["sources"] = Observation._meta.get_field("source").flatchoices
        context["definition"] = definitions.definition_yaml(m.definition)


HISTORY_MODELS = {"unit": Unit, "objective": Objective, "measure": Measure}


class HistoryFragment(ResultsObjectPage):
    """The change history of a unit, objective or measure: loaded by HTMX into its page when
    scrolled into view, or shown as a page of its own without JavaScript."""

    template_name = "results/history_page.html"

    def get_object(self) -> Any:
        kind = self.kwargs["kind"]
        if kind not in HISTORY_MODELS:
            raise Http404(f"no history of {kind}")
        self.model = HISTORY_MODELS[kind]
        return super().get_object()

    def get_template_names(self) -> list[str]:
        if getattr(self.request, "htmx", False):
            return ["results/history.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["history"] = audit_trail(self.object)
        if self.kwargs["kind"] == "measure":
            context["data_history"] = data_trail(self.object)
            context["pending"] = list(
                self.object.submissions.filter(state="pending").select_related("submitted_by")
            )
        context["title"] = f"Change history — {self.object.name}"
        return context
