"""Data collection pages: my updates, imports (upload → preview → commit, undo), export,
approvals and the data administration page (reporting month, locks, quality, reminders)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from trellis.web.collection.services import approval, data, export, uploads
from trellis.web.collection.services import reporting as collection
from trellis.web.collection.services.undo import UndoRefused, undo
from trellis.web.core.views import AdministratorsPage, PlainPage
from trellis.web.observations.models import DataImport, PeriodLock
from trellis.web.scorecards.models import Organization


class UpdatesPage(PlainPage):
    """The values a person has to report, in one keyboard-friendly grid."""

    template_name = "collection/updates.html"
    title = _("My updates")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        scope = self.request.GET.get("scope", "")
        mine = list(collection.reportable(user, mine=True)[:300])
        everything = scope == "all" or not mine
        measures = list(collection.reportable(user, mine=False)[:300]) if everything else mine
        context.update(
            scope="all" if everything else "mine",
            entries=collection.entries(measures),
            reporting=collection.reporting_label(),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Check every filled row; save all of them or none, with problems by row."""
        rows = _entered(request)
        if not rows:
            messages.info(request, _("Nothing entered."))
            return redirect(request.get_full_path())
        confirmed = request.POST.get("confirm") == "1"
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
        for finding in [*check.errors, *check.confirmations]:
            line = finding.location.line or 0
            if 1 <= line <= len(rows):
                code, period = rows[line - 1][:2]
                problems.setdefault(f"{code}__{period}", []).append(
                    finding.message.split(": ", 1)[-1]
                )
        context.update(
            problems=problems,
            posted={f"{r[0]}__{r[1]}": (r[2], r[4]) for r in rows},
            needs_confirmation=bool(check.confirmations) and not check.errors,
        )
        # htmx swaps only successful responses: the grid with its problems is the answer.
        return self.render_to_response(context, status=200 if request.htmx else 400)


def _entered(request: HttpRequest) -> list[tuple[str, str, str, str, str]]:
    """The filled rows of the entry grid: (measure, period, value, segment, comment)."""
    rows = []
    for key, value in request.POST.items():
        if not key.startswith("value__") or not value.strip() or "__" not in key[7:]:
            continue
        code, period = key[len("value__") :].split("__", 1)
        comment = request.POST.get(f"comment__{code}__{period}", "")
        rows.append((code, period, value.strip(), "", comment))
    return rows


def check_entry(request: HttpRequest) -> HttpResponse:
    """Inline validation of one row of the entry grid while typing (htmx): its problems and
    outlier prompts, or that it looks right. Nothing is written."""
    if request.method != "POST":
        return HttpResponse(status=405)
    rows = _entered(request)
    # htmx posts the whole form; the row is the one of the field that changed.
    trigger = (getattr(request, "htmx", None) and request.htmx.trigger_name) or ""
    if "__" in trigger:
        code, period = trigger.split("__", 1)[1].split("__", 1)
        rows = [r for r in rows if (r[0], r[1]) == (code, period)]
    if len(rows) != 1:
        return HttpResponse("")
    check = data.check_values(rows, request.user, _("entry form"))
    found = [f.message.split(": ", 1)[-1] for f in check.errors]
    asked = [f.message.split(": ", 1)[-1] for f in check.confirmations]
    return render(request, "collection/entry_check.html", {"errors": found, "asked": asked})


class ImportsPage(PlainPage):
    """Upload a data file, see every problem or what it will change, then commit it."""

    template_name = "collection/imports.html"
    title = _("Import data")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        mine = DataImport.objects.select_related("user", "undone_by")
        if not self.request.user.is_superuser:
            mine = mine.filter(user=self.request.user)
        context["imports"] = list(mine[:50])
        context["max_mb"] = settings.TRELLIS_MAX_UPLOAD_BYTES // (1024 * 1024)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Preview an upload, or commit a previewed one (``token``)."""
        limit = settings.TRELLIS_MAX_UPLOAD_BYTES
        size = int(request.META.get("CONTENT_LENGTH") or 0)
        if size > limit:
            # Refused before Django reads the body: nothing of it is kept.
            return self.render_to_response(
                self.get_context_data(
                    refused=_("The file is too large (%(size)d MB; the limit is %(limit)d MB).")
                    % {"size": size // (1024 * 1024), "limit": limit // (1024 * 1024)}
                ),
                status=413,
            )
        token = request.POST.get("token", "")
        if token:
            return self._commit(request, token)
        if not data.may_enter_data(request.user):
            return self.render_to_response(
                self.get_context_data(refused=_("You may not enter data.")), status=403
            )
        upload = request.FILES.get("file")
        if upload is None:
            return self.render_to_response(
                self.get_context_data(refused=_("Choose a CSV or XLSX file.")), status=400
            )
        content = upload.read()
        check = data.check_file(upload.name, content, request.user)
        # Only a file that can be imported is kept, for its person, for a while.
        token = "" if check.errors else uploads.keep(request.user, upload.name, content)
        return self.render_to_response(
            self.get_context_data(check=check, token=token, preview=check.changes[:20]),
            status=400 if check.errors else 200,
        )

    def _commit(self, request: HttpRequest, token: str) -> HttpResponse:
        pending = uploads.take(request.user, token)
        if pending is None:
            messages.error(
                request, _("That preview has expired or was replaced; upload the file again.")
            )
            return redirect("imports")
        name = pending.file_name
        confirmed = request.POST.get("confirm") == "1"
        check = data.check_file(name, bytes(pending.content), request.user, confirmed=confirmed)
        if check.errors or (check.confirmations and not confirmed):
            return self.render_to_response(
                self.get_context_data(check=check, token=token, preview=check.changes[:20]),
                status=400,
            )
        written = data.commit(check, request.user, "import", name)
        uploads.discard(pending)
        if written.record is None:
            messages.info(
                request,
                _("Nothing to change: all %(n)d value(s) are already stored.")
                % {"n": written.unchanged},
            )
        else:
            messages.success(
                request,
                _(
                    "Imported %(name)s: %(c)d new, %(u)d changed, %(p)d waiting for approval, "
                    "%(s)d unchanged."
                )
                % {
                    "name": name,
                    "c": written.created,
                    "u": written.updated,
                    "p": written.pending,
                    "s": written.unchanged,
                },
            )
        return redirect("imports")


class UndoImportView(PlainPage):
    """Undo one import (its author or an administrator)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Undo and go back to the imports."""
        found = DataImport.objects.filter(pk=pk)
        if not request.user.is_superuser:
            found = found.filter(user=request.user)
        record = found.first()
        if record is None:
            raise Http404("no such import")
        try:
            count = undo(record, request.user)
        except UndoRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Import undone: %(n)d value(s) put back.") % {"n": count})
        return redirect("imports")


def export_view(request: HttpRequest) -> HttpResponse:
    """The data the user may see, as CSV or XLSX, long or wide."""
    layout = "wide" if request.GET.get("layout") == "wide" else "long"
    kind = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    table = export.rows(request.user, layout)
    content = export.to_xlsx(table) if kind == "xlsx" else export.to_csv(table)
    types = {
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    response = HttpResponse(content, content_type=types[kind])
    response["Content-Disposition"] = f'attachment; filename="trellis-data-{layout}.{kind}"'
    return response


class ApprovalsPage(PlainPage):
    """Values waiting for the data steward: approve them, or reject them with a reason."""

    template_name = "collection/approvals.html"
    title = _("Approvals")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["pending"] = list(approval.pending_for(self.request.user)[:500])
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Decide on the ticked submissions."""
        ids = [int(i) for i in request.POST.getlist("submission") if i.isdigit()]
        approve = request.POST.get("decision") == "approve"
        try:
            count = approval.decide(ids, request.user, approve, request.POST.get("reason", ""))
        except approval.Refused as exc:
            messages.error(request, str(exc))
        else:
            word = _("approved") if approve else _("rejected")
            messages.success(request, _("%(n)d value(s) %(word)s.") % {"n": count, "word": word})
        return redirect("approvals")


class DataAdminPage(AdministratorsPage):
    """Reporting month, locked periods, data quality per owner and reminders (admins)."""

    template_name = "collection/data_admin.html"
    title = _("Data administration")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            reporting=collection.reporting_label(),
            locks=list(PeriodLock.objects.select_related("locked_by")),
            quality=collection.quality(self.request.user),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Change the reporting month, lock or unlock a period, or send reminders."""
        action = request.POST.get("action", "")
        try:
            if action == "lock":
                lock = approval.lock_period(
                    request.POST.get("period", ""), request.user, request.POST.get("reason", "")
                )
                messages.success(request, _("Locked %(p)s.") % {"p": lock.period})
            elif action == "unlock":
                approval.unlock_period(request.POST.get("period", ""))
                messages.success(request, _("Unlocked."))
            elif action == "reporting":
                period = approval.month_of(request.POST.get("period", ""))
                Organization.objects.update(reporting_month=period)
                messages.success(request, _("Reporting month changed."))
            elif action == "remind":
                sent = collection.send_reminders(request.user, request.build_absolute_uri("/")[:-1])
                count = sum(1 for r in sent if r.address)
                missing = [r.owner for r in sent if not r.address]
                messages.success(request, _("%(n)d reminder(s) sent.") % {"n": count})
                if missing:
                    messages.warning(
                        request,
                        _("No e-mail address for: %(who)s") % {"who": ", ".join(missing)},
                    )
        except approval.Refused as exc:
            messages.error(request, str(exc))
        return redirect("data-admin")
