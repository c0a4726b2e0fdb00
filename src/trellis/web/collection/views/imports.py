"""Imports: upload a data file, see every problem or what it will change, then import it
(and undo it as a whole); and exports in the same layouts."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trellis.web.collection.forms import CommitForm, UploadForm
from trellis.web.collection.services import data, export, uploads
from trellis.web.collection.services.undo import UndoRefused, undo
from trellis.web.collection.tasks import import_upload
from trellis.web.core.views import MenuPage, PlainPage
from trellis.web.observations.models import DataImport
from trellis.web.scorecards.services.rights import may_enter_data


class ImportsPage(MenuPage):
    """Upload a data file, see every problem or what it will change, then commit it."""

    template_name = "collection/imports.html"
    title = gettext_lazy("Import data")
    menu_name = "imports"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        mine = DataImport.objects.select_related("user", "undone_by")
        if not self.request.user.is_superuser:
            mine = mine.filter(user=self.request.user)
        context["imports"] = list(mine[:50])
        context["queued"] = uploads.queued(self.request.user)
        context["max_mb"] = settings.TRELLIS_MAX_UPLOAD_BYTES // (1024 * 1024)
        return context

    def refused(self, message: str, status: int) -> HttpResponse:
        """The page again, saying why nothing happened."""
        return self.render_to_response(self.get_context_data(refused=message), status=status)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Preview an upload, or commit a previewed one (a form with its ``token``)."""
        limit = settings.TRELLIS_MAX_UPLOAD_BYTES
        size = int(request.META.get("CONTENT_LENGTH") or 0)
        if size > limit:
            # Refused before Django reads the body: nothing of it is kept.
            message = _("The file is too large (%(size)d MB; the limit is %(limit)d MB).") % {
                "size": size // (1024 * 1024),
                "limit": limit // (1024 * 1024),
            }
            return self.refused(message, 413)
        if "token" in request.POST:
            return self.commit(CommitForm(request.POST))
        if not may_enter_data(request.user):
            return self.refused(_("You may not enter data."), 403)
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.refused(" ".join(form.errors["file"]), 400)
        upload = form.cleaned_data["file"]
        content = upload.read()
        check = data.check_file(upload.name, content, request.user)
        # Only a file that can be imported is kept, for its person, for a while.
        token = "" if check.errors else uploads.keep(request.user, upload.name, content)
        return self.render_to_response(
            self.get_context_data(check=check, token=token, preview=check.changes[:20]),
            status=400 if check.errors else 200,
        )

    def commit(self, form: CommitForm) -> HttpResponse:
        """Import a previewed file (checked again: the data may have changed since)."""
        request = self.request
        pending = (
            uploads.take(request.user, form.data.get("token", "")) if form.is_valid() else None
        )
        if pending is None:
            messages.error(
                request, _("That preview has expired or was replaced; upload the file again.")
            )
            return redirect("imports")
        name = pending.file_name
        confirmed = form.cleaned_data["confirm"]
        if (
            settings.TASKS_IN_WORKER
            and len(pending.content) >= settings.TRELLIS_WORKER_IMPORT_BYTES
        ):
            # A large file is imported by the worker (checked again there, as this person).
            uploads.queue(pending, confirmed)
            transaction.on_commit(lambda: import_upload.enqueue(pending.pk))
            messages.info(
                request,
                _("%(name)s is being imported; it appears below when it is done.") % {"name": name},
            )
            return redirect("imports")
        check = data.check_file(name, bytes(pending.content), request.user, confirmed=confirmed)
        if check.errors or (check.confirmations and not confirmed):
            return self.render_to_response(
                self.get_context_data(check=check, token=pending.token, preview=check.changes[:20]),
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
