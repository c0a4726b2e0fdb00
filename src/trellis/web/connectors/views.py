"""The database connectors page: connections, the query of each measure, runs on demand
and their record (administrators of the whole organization)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from trellis.web.connectors.models import Connection, ConnectorRun
from trellis.web.connectors.services import runs as connectors
from trellis.web.core.views import AdministratorsPage
from trellis.web.scorecards.models import Measure


class ConnectorsPage(AdministratorsPage):
    """Database connections, the query of each measure, runs on demand and their record
    (administrators of the whole organization). Passwords are never shown back."""

    template_name = "connectors/connectors.html"
    title = _("Database connectors")

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
        """Save a connection or a query, or run a connection (``write`` or test)."""
        post = request.POST
        action = post.get("action", "")
        try:
            if action == "save":
                connectors.save_connection(
                    post.get("name", "").strip(),
                    post.get("url", ""),
                    password=post.get("password") or None,
                    password_env=post.get("password_env", "").strip(),
                    timeout_seconds=_whole(post.get("timeout_seconds", "30")),
                    schedule=post.get("schedule", Connection.Schedule.MANUAL),
                    user=request.user,
                )
                messages.success(request, _("Connection %(n)s saved.") % {"n": post.get("name")})
            elif action == "query":
                measure = Measure.objects.filter(code=post.get("measure", "").strip()).first()
                if measure is None:
                    raise connectors.ConnectorError(
                        _("unknown measure '%(c)s'") % {"c": post.get("measure", "")}
                    )
                connectors.save_query(self._connection(post), measure, post.get("sql", ""))
                messages.success(request, _("Query of %(c)s saved.") % {"c": measure.code})
            elif action in ("run", "test"):
                run = connectors.run(
                    self._connection(post),
                    request.user,
                    period=post.get("period", "").strip() or None,
                    write=action == "run",
                )
                level = messages.error if run.state == ConnectorRun.State.FAILED else messages.info
                level(request, f"{run.connection.name}: {run.get_state_display()}")
        except (connectors.ConnectorError, ValidationError) as exc:
            context = self.get_context_data(refused=_refusal(exc), posted=post)
            return self.render_to_response(context, status=400)
        return redirect("connectors")

    @staticmethod
    def _connection(post: Any) -> Connection:
        found = Connection.objects.filter(name=post.get("name", "")).first()
        if found is None:
            raise Http404("no such connection")
        return found


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise connectors.ConnectorError(_("'%(t)s' is not a whole number") % {"t": text}) from None


def _refusal(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return str(exc)
