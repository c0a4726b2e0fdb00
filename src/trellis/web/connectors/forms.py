"""The forms of the connectors page: one per button (its ``action`` value), each reading
its fields and making its one service call (``apply``). The services check what they are
given (URLs, SQL, periods); the forms read the text."""

from __future__ import annotations

from typing import Any, Protocol

from django import forms
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from trellis.web.connectors.models import Connection, ConnectorRun
from trellis.web.connectors.services import runs as connectors
from trellis.web.scorecards.models import Measure

Told = list[tuple[str, str]]
"""Messages to show: (level, text)."""


class ConnectorAction(Protocol):
    """A button of the connectors page: a form whose ``apply`` makes its service call and
    returns the messages to show (or raises ``ConnectorError`` / ``ValidationError``)."""

    def is_valid(self) -> bool: ...

    def apply(self, user: Any) -> Told: ...


class ConnectionForm(forms.Form):
    """Create or change a connection (a password left empty keeps the stored one)."""

    name = forms.CharField(required=False, max_length=64)
    url = forms.CharField(required=False, strip=False, max_length=500)
    password = forms.CharField(required=False, strip=False)
    password_env = forms.CharField(required=False, max_length=100)
    timeout_seconds = forms.CharField(required=False)
    schedule = forms.CharField(required=False)

    def clean_timeout_seconds(self) -> int:
        text = self.cleaned_data["timeout_seconds"] or "30"
        try:
            return int(text)
        except ValueError:
            raise forms.ValidationError(
                _("'%(t)s' is not a whole number") % {"t": text}, code="invalid"
            ) from None

    def apply(self, user: Any) -> Told:
        got = self.cleaned_data
        connectors.save_connection(
            got["name"],
            got["url"],
            password=got["password"] or None,
            password_env=got["password_env"],
            timeout_seconds=got["timeout_seconds"],
            schedule=got["schedule"] or str(Connection.Schedule.MANUAL),
            user=user,
        )
        return [("success", _("Connection %(n)s saved.") % {"n": got["name"]})]


class QueryForm(forms.Form):
    """Create or change the query that reads one measure from a connection."""

    name = forms.CharField(required=False)
    measure = forms.CharField(required=False)
    sql = forms.CharField(required=False, strip=False)

    def apply(self, user: Any) -> Told:
        got = self.cleaned_data
        measure = Measure.objects.filter(code=got["measure"]).first()
        if measure is None:
            raise connectors.ConnectorError(_("unknown measure '%(c)s'") % {"c": got["measure"]})
        connection = get_object_or_404(Connection, name=got["name"])
        connectors.save_query(connection, measure, got["sql"])
        return [("success", _("Query of %(c)s saved.") % {"c": measure.code})]


class RunForm(forms.Form):
    """Run a connection's queries for a period: writing the values, or as a test."""

    name = forms.CharField(required=False)
    period = forms.CharField(required=False)

    def __init__(self, data: Any, write: bool) -> None:
        super().__init__(data)
        self.write = write

    def apply(self, user: Any) -> Told:
        connection = get_object_or_404(Connection, name=self.cleaned_data["name"])
        run = connectors.run(
            connection, user, period=self.cleaned_data["period"] or None, write=self.write
        )
        level = "error" if run.state == ConnectorRun.State.FAILED else "info"
        return [(level, f"{run.connection.name}: {run.get_state_display()}")]


def action_form(action: str, data: Any) -> ConnectorAction | None:
    """The form of the button pressed (None for an unknown one)."""
    if action == "save":
        return ConnectionForm(data)
    if action == "query":
        return QueryForm(data)
    if action in ("run", "test"):
        return RunForm(data, write=action == "run")
    return None
