"""Definition pages: editing a measure's definition, and the alignment findings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trellis.web.core.roles import Action
from trellis.web.core.views import ObjectPage, TrellisPage
from trellis.web.scorecards.forms import DefinitionForm
from trellis.web.scorecards.models import Measure, Objective, Organization, Unit
from trellis.web.scorecards.navigation import unit_crumbs
from trellis.web.scorecards.services import definitions


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
            *unit_crumbs(m.unit),
            (m.name, reverse("measure", args=[m.code])),
            (_("Edit definition"), reverse("measure-edit", args=[m.code])),
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["title"] = _("Edit %(name)s") % {"name": self.object.name}
        context.setdefault("text", definitions.definition_yaml(self.object.definition))
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Check and save, or show the form again with every problem and its line."""
        form = DefinitionForm(request.POST)
        text = form.cleaned_data["definition"] if form.is_valid() else ""
        code = self.kwargs["code"]
        try:
            self.object = self.get_object()
            warnings = definitions.update_measure(code, text, request.user)
        except definitions.DefinitionRefused as exc:
            context = self.get_context_data(text=text, problems=exc.findings)
            return self.render_to_response(context, status=400)
        messages.success(request, _("Definition of %(code)s saved.") % {"code": code})
        for finding in warnings:
            messages.warning(request, finding.message)
        return redirect("measure", code=code)


class FindingsPage(TrellisPage):
    """The alignment checks on the stored scorecard, for the objects the user may see."""

    content_template = "scorecards/findings_content.html"
    title = gettext_lazy("Alignment findings")

    def add_content(self, context: dict[str, Any]) -> None:
        user = self.request.user
        findings = definitions.stored_findings(user)
        codes = {f.object for f in findings if f.object}
        named: dict[str, tuple[str, str]] = {}  # code → (name, page), of what the user sees
        for model, page in ((Unit, "unit"), (Objective, "objective"), (Measure, "measure")):
            for code, name in (
                model.objects.restrict(user).filter(code__in=codes).values_list("code", "name")
            ):
                named.setdefault(code, (name, reverse(page, args=[code])))
        context["findings"] = findings
        context["named"] = named

    def revisions(self, context: dict[str, Any]) -> tuple[int, ...]:
        org = Organization.current()
        return (int(org.revision),) if org else (0,)
