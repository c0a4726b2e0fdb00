"""The database connectors page: connections, the query of each measure, runs on demand
and their record (administrators of the whole organization)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trellis.web.connectors.forms import action_form
from trellis.web.connectors.models import Connection, ConnectorRun
from trellis.web.connectors.services import runs as connectors
from trellis.web.core.views import AdministratorsPage


class ConnectorsPage(AdministratorsPage):
    """Database connections, the query of each measure, runs on demand and their record
    (administrators of the whole organization). Passwords are never shown back."""

    template_name = "connectors/connectors.html"
    title = gettext_lazy("Database connectors")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        found = list(Connection.objects.prefetch_related("queries__measure"))
        context.update(
            connections=[(c, connectors.shown_url(c), connectors.credential(c)) for c in found],
            runs=list(ConnectorRun.objects.select_related("connection", "user")[:30]),
            schedules=Connection.Schedule.choices,
            parameters=connectors.PARAMETERS,
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Carry out the button pressed: save a connection or a query, or run a connection
        (writing, or as a test)."""
        form = action_form(request.POST.get("action", ""), request.POST)
        try:
            if form is None:
                raise connectors.ConnectorError(_("unknown action"))
            if not form.is_valid():
                raise ValidationError(form.errors)  # type: ignore[attr-defined]
            told = form.apply(request.user)
        except (connectors.ConnectorError, ValidationError) as exc:
            context = self.get_context_data(refused=_refusal(exc), posted=request.POST)
            return self.render_to_response(context, status=400)
        for level, text in told:
            getattr(messages, level)(request, text)
        return redirect("connectors")


def _refusal(exc: Exception) -> str:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)
