"""Pages: organization home, unit scorecard, objective, measure, strategy map, cascade,
alignment findings. Numbers come from stored series; objects through the permission filter."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trellis.engine.findings import ScorecardError
from trellis.web.core.history import audit_trail, data_trail
from trellis.web.core.querysets import allowed_paths
from trellis.web.core.roles import Action
from trellis.web.core.views import ObjectPage, TrellisPage
from trellis.web.observations.models import Observation
from trellis.web.results import services
from trellis.web.results.models import MeasureSeries, ObjectiveSeries, PerspectiveSeries, UnitSeries
from trellis.web.scorecards import layout
from trellis.web.scorecards.models import Link, Measure, Objective, Unit
from trellis.web.scorecards.reading import Cell, cell, sparkline


def _perspectives(context: dict[str, Any]) -> list[dict[str, Any]]:
    org = context["organization"]
    listed = (org.definition if org else {}).get("perspectives") or [
        {"code": "learning", "name": _("Learning & Growth")},
        {"code": "process", "name": _("Internal Processes")},
        {"code": "customer", "name": _("Customer")},
        {"code": "financial", "name": _("Financial")},
    ]
    return list(reversed(listed))  # top of the map first


def _unit_crumbs(unit: Unit) -> list[tuple[str, str]]:
    crumbs = [(a.name, reverse("unit", args=[a.code])) for a in unit.ancestors()]
    return [*crumbs, (unit.name, reverse("unit", args=[unit.code]))]


def _series(model: Any, grain: str, **filters: Any) -> dict[Any, Any]:
    key = next(iter(filters)).removesuffix("__in") + "_id"
    return {getattr(s, key): s for s in model.objects.filter(grain=grain, **filters)}


class HomePage(TrellisPage):
    """The unit tree with overall and per-perspective scores, and a heatmap."""

    content_template = "scorecards/home_content.html"
    title = gettext_lazy("Organization")

    def levels(self) -> int:
        """How many tiers of units the page lists (``?levels=``, 1 to 12, default 3)."""
        try:
            return min(max(int(self.request.GET.get("levels", "3")), 1), 12)
        except ValueError:
            return 3

    def query_key(self) -> str:
        return str(self.levels())

    def add_content(self, context: dict[str, Any]) -> None:
        period = context["period"]
        visible = Unit.objects.restrict(self.request.user)
        top = visible.order_by("depth").values_list("depth", flat=True).first() or 0
        levels = self.levels()
        # Large organizations: the first tiers here, the rest one click down each unit.
        units = list(visible.filter(depth__lt=top + levels).order_by("position"))
        context["levels"] = levels
        context["hidden"] = visible.filter(depth__gte=top + levels).count()
        ids = [u.pk for u in units]
        overall = _series(UnitSeries, period.grain, unit__in=ids)
        by_section = {
            (s.unit_id, s.perspective): s
            for s in PerspectiveSeries.objects.filter(grain=period.grain, unit__in=ids)
        }
        perspectives = _perspectives(context)
        context["perspectives"] = perspectives
        context["rows"] = [
            {
                "unit": u,
                "indent": u.depth - top,
                "overall": cell(overall.get(u.pk), period.label),
                "sections": [
                    cell(by_section.get((u.pk, p["code"])), period.label) for p in perspectives
                ],
            }
            for u in units
        ]


class UnitPage(ObjectPage):
    """A unit's scorecard: perspectives → objectives → measures."""

    model = Unit
    unit_results = True
    content_template = "scorecards/unit_content.html"

    def breadcrumbs(self, context: dict[str, Any]) -> list[tuple[str, str]]:
        return _unit_crumbs(self.object)

    def add_content(self, context: dict[str, Any]) -> None:
        unit, period, user = self.object, context["period"], self.request.user
        objectives = list(unit.objectives.filter(active=True).order_by("position"))
        measures = list(
            Measure.objects.restrict(user)
            .filter(objective__in=objectives, active=True)
            .order_by("position")
        )
        o_series = _series(ObjectiveSeries, period.grain, objective__in=[o.pk for o in objectives])
        m_series = _series(MeasureSeries, period.grain, measure__in=[m.pk for m in measures])
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
                    "unit_of_measure": m.definition.get("unit_of_measure", ""),
                    "decimals": m.definition.get("decimals", 2),
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
            for p in _perspectives(context)
        ]
        context["overall"] = cell(
            UnitSeries.objects.filter(grain=period.grain, unit=unit).first(), period.label
        )
        context["supports"] = (
            Objective.objects.restrict(user)
            .filter(links_in__kind=Link.SUPPORTS, links_in__source__unit=unit)
            .select_related("unit")
            .distinct()
        )
        context["children"] = Unit.objects.restrict(user).filter(parent=unit).order_by("position")


class ObjectivePage(ObjectPage):
    """An objective: its roll-up explained, its measures and the objectives supporting it."""

    model = Objective
    content_template = "scorecards/objective_content.html"

    def breadcrumbs(self, context: dict[str, Any]) -> list[tuple[str, str]]:
        o = self.object
        return [*_unit_crumbs(o.unit), (o.name, reverse("objective", args=[o.code]))]

    def add_content(self, context: dict[str, Any]) -> None:
        o, period, user = self.object, context["period"], self.request.user
        context["cell"] = cell(
            ObjectiveSeries.objects.filter(grain=period.grain, objective=o).first(), period.label
        )
        context["explanation"] = services.explain(o.code, period.label, user)
        measures = list(Measure.objects.restrict(user).filter(objective=o).order_by("position"))
        m_series = _series(MeasureSeries, period.grain, measure__in=[m.pk for m in measures])
        context["measures"] = [(m, cell(m_series.get(m.pk), period.label)) for m in measures]
        children = list(
            Objective.objects.restrict(user)
            .filter(links_out__kind=Link.SUPPORTS, links_out__target=o)
            .select_related("unit")
        )
        c_series = _series(ObjectiveSeries, period.grain, objective__in=[c.pk for c in children])
        context["children"] = [(c, cell(c_series.get(c.pk), period.label)) for c in children]
        context["supports"] = Objective.objects.restrict(user).filter(
            links_in__kind=Link.SUPPORTS, links_in__source=o
        )


class MeasurePage(ObjectPage):
    """A measure: chart, data table, definition, explanation of the score, history."""

    model = Measure
    related = ("unit", "objective")
    unit_results = True
    needs_chart = True
    content_template = "scorecards/measure_content.html"

    def breadcrumbs(self, context: dict[str, Any]) -> list[tuple[str, str]]:
        m = self.object
        return [
            *_unit_crumbs(m.unit),
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
        context["decimals"] = m.definition.get("decimals", 2)
        context["unit_of_measure"] = m.definition.get("unit_of_measure", "")
        context["explanation"] = services.explain(m.code, period.label, self.request.user)
        context["chart"] = services.chart(m.code, period.grain)
        context["observations"] = m.observations.order_by("-end_month", "segment").values_list(
            "period", "segment", "value", "comment", "source"
        )[:60]
        context["sources"] = Observation._meta.get_field("source").flatchoices
        context["definition"] = services.definition_yaml(m.definition)


class MeasureEditPage(ObjectPage):
    """An editor changes a measure's definition, written as in a scorecard file; the whole
    scorecard is checked with the change before it is saved."""

    model = Measure
    related = ("unit", "objective")
    action = Action.EDIT_DEFINITIONS
    template_name = "scorecards/measure_edit.html"

    def breadcrumbs(self, context: dict[str, Any]) -> list[tuple[str, str]]:
        m = self.object
        return [
            *_unit_crumbs(m.unit),
            (m.name, reverse("measure", args=[m.code])),
            (_("Edit definition"), reverse("measure-edit", args=[m.code])),
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["title"] = _("Edit %(name)s") % {"name": self.object.name}
        context.setdefault("text", services.definition_yaml(self.object.definition))
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Check and save, or show the form again with every problem and its line."""
        text = request.POST.get("definition", "")
        code = self.kwargs["code"]
        try:
            self.object = self.get_object()
            warnings = services.update_measure(code, text, request.user)
        except ScorecardError as exc:
            context = self.get_context_data(text=text, problems=exc.findings)
            return self.render_to_response(context, status=400)
        messages.success(request, _("Definition of %(code)s saved.") % {"code": code})
        for finding in warnings:
            messages.warning(request, finding.message)
        return redirect("measure", code=code)


class StrategyMapPage(ObjectPage):
    """The unit's strategy map as server-rendered SVG."""

    model = Unit
    unit_results = True
    content_template = "scorecards/strategy_map_content.html"

    def breadcrumbs(self, context: dict[str, Any]) -> list[tuple[str, str]]:
        return [
            *_unit_crumbs(self.object),
            (_("Strategy map"), reverse("strategy-map", args=[self.object.code])),
        ]

    def add_content(self, context: dict[str, Any]) -> None:
        unit, period = self.object, context["period"]
        objectives = list(unit.objectives.filter(active=True).order_by("position"))
        o_series = _series(ObjectiveSeries, period.grain, objective__in=[o.pk for o in objectives])
        cells = {o.pk: cell(o_series.get(o.pk), period.label) for o in objectives}
        links = list(
            Link.objects.filter(
                kind=Link.DRIVES, source__in=objectives, target__in=objectives
            ).select_related("source", "target")
        )
        found = services.link_evidence([(link.source.code, link.target.code) for link in links])
        context["map"] = layout.strategy_map(
            _perspectives(context),
            objectives,
            cells,
            [(link.source_id, link.target_id) for link in links],
            {
                (link.source_id, link.target_id): found.get((link.source.code, link.target.code))
                for link in links
            },
        )


class CascadePage(ObjectPage):
    """One objective traced down through every unit that supports it."""

    model = Objective
    content_template = "scorecards/cascade_content.html"

    def breadcrumbs(self, context: dict[str, Any]) -> list[tuple[str, str]]:
        o = self.object
        return [
            *_unit_crumbs(o.unit),
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
        o_series = _series(ObjectiveSeries, period.grain, objective__in=list(found))
        rows: list[tuple[int, Objective, Cell]] = []

        def walk(pk: int, depth: int) -> None:
            rows.append((depth, found[pk], cell(o_series.get(pk), period.label)))
            for child in children.get(pk, []):
                walk(child, depth + 1)

        walk(self.object.pk, 0)
        context["rows"] = rows


class FindingsPage(TrellisPage):
    """The alignment checks on the stored scorecard, for the objects the user may see."""

    content_template = "scorecards/findings_content.html"
    title = gettext_lazy("Alignment findings")

    def add_content(self, context: dict[str, Any]) -> None:
        context["findings"] = services.stored_findings(self.request.user)


class ExceptionsPage(TrellisPage):
    """What needs attention in the period: measures off target, stale, or showing a
    special-cause signal on their control chart — the raw material of a review agenda."""

    content_template = "scorecards/exceptions_content.html"
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


HISTORY_MODELS = {"unit": Unit, "objective": Objective, "measure": Measure}


class HistoryFragment(ObjectPage):
    """The change history of a unit, objective or measure: loaded by HTMX into its page when
    scrolled into view, or shown as a page of its own without JavaScript."""

    template_name = "scorecards/history_page.html"

    def get_object(self) -> Any:
        kind = self.kwargs["kind"]
        if kind not in HISTORY_MODELS:
            raise Http404(f"no history of {kind}")
        self.model = HISTORY_MODELS[kind]
        return super().get_object()

    def get_template_names(self) -> list[str]:
        if getattr(self.request, "htmx", False):
            return ["scorecards/history.html"]
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
