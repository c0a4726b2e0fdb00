"""Approvals (values waiting for their data steward) and the data administration page
(reporting month, locked periods, data quality per owner, reminders)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trellis.web.collection.forms import ADMINISTRATION_ACTIONS, AdministrationAction, DecisionForm
from trellis.web.collection.services import approval
from trellis.web.collection.services import reporting as collection
from trellis.web.core.views import AdministratorsPage, MenuPage
from trellis.web.observations.models import PeriodLock
from trellis.web.results import services as results


class ApprovalsPage(MenuPage):
    """Values waiting for the data steward: approve them, or reject them with a reason."""

    template_name = "collection/approvals.html"
    title = gettext_lazy("Approvals")
    menu_name = "approvals"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["pending"] = list(approval.pending_for(self.request.user)[:500])
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Decide on the ticked submissions."""
        pending = list(approval.pending_for(request.user).values_list("pk", flat=True))
        form = DecisionForm(request.POST, pending)
        if not form.is_valid():
            messages.error(request, _("Tick values you may decide on, then approve or reject."))
            return redirect("approvals")
        approve = form.cleaned_data["decision"] == "approve"
        try:
            count = approval.decide(
                form.cleaned_data["submission"], request.user, approve, form.cleaned_data["reason"]
            )
        except approval.Refused as exc:
            messages.error(request, str(exc))
        else:
            word = _("approved") if approve else _("rejected")
            messages.success(request, _("%(n)d value(s) %(word)s.") % {"n": count, "word": word})
        return redirect("approvals")


class DataAdminPage(AdministratorsPage):
    """Reporting month, locked periods, data quality per owner and reminders (admins)."""

    template_name = "collection/data_admin.html"
    title = gettext_lazy("Data administration")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            reporting=results.reporting_label(),
            locks=list(PeriodLock.objects.select_related("locked_by")),
            quality=collection.quality(self.request.user),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Carry out the action of the button pressed (each has its form)."""
        chosen = ADMINISTRATION_ACTIONS.get(request.POST.get("action", ""))
        if chosen is None:
            messages.error(request, _("Unknown action."))
            return redirect("data-admin")
        form = cast(AdministrationAction, chosen(request.POST))
        if not form.is_valid():
            messages.error(request, _("Give a period."))
            return redirect("data-admin")
        try:
            told = form.apply(request.user, request.build_absolute_uri("/")[:-1])
        except approval.Refused as exc:
            messages.error(request, str(exc))
        else:
            for level, text in told:
                getattr(messages, level)(request, text)
        return redirect("data-admin")
