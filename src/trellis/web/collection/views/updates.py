"""My updates: the values a person has to report, in one keyboard-friendly grid, checked
row by row while typing and saved all or nothing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trellis.web.collection.forms import EntryGridForm
from trellis.web.collection.services import data
from trellis.web.collection.services import reporting as collection
from trellis.web.core.views import MenuPage
from trellis.web.results import services as results


class UpdatesPage(MenuPage):
    """The values a person has to report, in one keyboard-friendly grid."""

    template_name = "collection/updates.html"
    title = gettext_lazy("My updates")
    menu_name = "my-updates"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        scope = self.request.GET.get("scope", "")
        mine = list(collection.reportable(user, mine=True)[:300])
        everything = scope == "all" or not mine
        measures = list(collection.reportable(user, mine=False)[:300]) if everything else mine
        month, problem = _month_asked(self.request)
        reporting = results.reporting_month()
        label = results.month_label(month)
        context.update(
            scope="all" if everything else "mine",
            entries=collection.entries(measures, month),
            reporting=results.reporting_label(),
            collecting=label if month != reporting else "",
            next_month=results.month_label(month + 1),
            period_problem=problem,
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Check every filled row; save all of them or none, with problems by row."""
        form = EntryGridForm(request.POST)
        rows = form.rows() if form.is_valid() else []
        if not rows:
            messages.info(request, _("Nothing entered."))
            return redirect(request.get_full_path())
        confirmed = form.cleaned_data["confirm"]
        check = data.check_values(rows, request.user, _("entry form"), confirmed=confirmed)
        if check.ok and not (check.confirmations and not confirmed):
            written = data.commit(check, request.user, "form", _("entry form"))
            messages.success(
                request,
                _("Saved: %(n)d value(s) written, %(p)d waiting for approval.")
                % {"n": written.created + written.updated, "p": written.pending},
            )
            return redirect(request.get_full_path())
        context = self.get_context_data()
        problems: dict[str, list[str]] = {}
        general: list[str] = []  # about the whole form, not one row
        for finding in [*check.errors, *check.confirmations]:
            line = finding.location.line or 0
            if 1 <= line <= len(rows):
                code, period = rows[line - 1][:2]
                problems.setdefault(f"{code}__{period}", []).append(
                    finding.message.split(": ", 1)[-1]
                )
            else:
                general.append(finding.message)
        context.update(
            problems=problems,
            general=general,
            posted={f"{r[0]}__{r[1]}": (r[2], r[4]) for r in rows},
            needs_confirmation=bool(check.confirmations) and not check.errors,
        )
        # htmx swaps only successful responses: the grid with its problems is the answer.
        return self.render_to_response(context, status=200 if request.htmx else 400)


def check_entry(request: HttpRequest) -> HttpResponse:
    """Inline validation of one row of the entry grid while typing (htmx): its problems and
    outlier prompts, or that it looks right. Nothing is written."""
    if request.method != "POST":
        return HttpResponse(status=405)
    form = EntryGridForm(request.POST)
    if not form.is_valid():
        return HttpResponse("")
    # htmx posts the whole form; the row is the one of the field that changed.
    trigger = (getattr(request, "htmx", None) and request.htmx.trigger_name) or ""
    only = None
    if "__" in trigger:
        code, period = trigger.split("__", 1)[1].split("__", 1)
        only = (code, period)
    rows = form.rows(only)
    if len(rows) != 1:
        return HttpResponse("")
    check = data.check_values(rows, request.user, _("entry form"))
    found = [f.message.split(": ", 1)[-1] for f in check.errors]
    asked = [f.message.split(": ", 1)[-1] for f in check.confirmations]
    return render(request, "collection/entry_check.html", {"errors": found, "asked": asked})


def _month_asked(request: HttpRequest) -> tuple[int, str]:
    """The month values are entered for: ``?period=`` (a month, for early or late values),
    else the reporting month; with what was wrong with the one asked for."""
    wanted = request.GET.get("period", "").strip()
    if wanted:
        parsed = results.parse_period(wanted)
        if parsed is not None and parsed[0] == "month":
            return results.calendar().parse(parsed[1]).end, ""
        return results.reporting_month(), _(
            "'%(wanted)s' is not a month; showing the reporting month"
        ) % {"wanted": wanted}
    return results.reporting_month(), ""
