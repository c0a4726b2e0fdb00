"""The forms of data collection: what each page reads of a POST, checked before a service
sees it. Each data-administration action is a form of its own with the one service call it
makes (``apply``)."""

from __future__ import annotations

from typing import Any, Protocol

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trellis.web.collection.services import approval
from trellis.web.collection.services import reporting as collection

Row = tuple[str, str, str, str, str]
"""(measure, period, value, segment, comment) as typed in the entry grid."""


class EntryGridForm(forms.Form):
    """The entry grid: a value (``value__CODE__PERIOD``) and a comment
    (``comment__CODE__PERIOD``) per row shown, and whether outliers are confirmed."""

    confirm = forms.BooleanField(required=False)

    def __init__(self, data: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(data, *args, **kwargs)
        for key in data:
            if key.startswith(("value__", "comment__")) and "__" in key.split("__", 1)[1]:
                self.fields[key] = forms.CharField(required=False, strip=False)

    def rows(self, only: tuple[str, str] | None = None) -> list[Row]:
        """The filled rows, in the order of the form (``only``: the row of one
        (code, period))."""
        found = []
        for key, value in self.cleaned_data.items():
            if not key.startswith("value__") or not value.strip():
                continue
            code, period = key[len("value__") :].split("__", 1)
            if only is not None and (code, period) != only:
                continue
            comment = self.cleaned_data.get(f"comment__{code}__{period}", "")
            found.append((code, period, value.strip(), "", comment))
        return found


class UploadForm(forms.Form):
    """A data file to check and preview."""

    file = forms.FileField(
        allow_empty_file=True,  # the check says what is wrong with it, with the rest
        error_messages={"required": gettext_lazy("Choose a CSV or XLSX file.")},
    )


class CommitForm(forms.Form):
    """A previewed file to import (by its token), with the outliers confirmed or not."""

    token = forms.CharField(max_length=100)
    confirm = forms.BooleanField(required=False)


class DecisionForm(forms.Form):
    """The ticked submissions, and approve or reject (with a reason)."""

    submission = forms.TypedMultipleChoiceField(coerce=int, required=False)
    decision = forms.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")])
    reason = forms.CharField(required=False, max_length=500)

    def __init__(self, data: Any, pending: list[int]) -> None:
        super().__init__(data)
        self.fields["submission"].choices = [(str(pk), str(pk)) for pk in pending]  # type: ignore[attr-defined]


class AdministrationAction(Protocol):
    """One action of the data administration page: a form whose ``apply`` makes its
    service call and returns the messages to show (or raises :class:`approval.Refused`)."""

    def is_valid(self) -> bool: ...

    def apply(self, user: Any, base_url: str) -> list[tuple[str, str]]: ...


class LockForm(forms.Form):
    """Lock a period to every write."""

    period = forms.CharField(max_length=16)
    reason = forms.CharField(required=False, max_length=300)

    def apply(self, user: Any, base_url: str) -> list[tuple[str, str]]:
        lock = approval.lock_period(self.cleaned_data["period"], user, self.cleaned_data["reason"])
        return [("success", _("Locked %(p)s.") % {"p": lock.period})]


class UnlockForm(forms.Form):
    """Open a locked period again."""

    period = forms.CharField(max_length=16)

    def apply(self, user: Any, base_url: str) -> list[tuple[str, str]]:
        approval.unlock_period(self.cleaned_data["period"])
        return [("success", _("Unlocked."))]


class ReportingMonthForm(forms.Form):
    """Change the month data is collected for."""

    period = forms.CharField(max_length=16)

    def apply(self, user: Any, base_url: str) -> list[tuple[str, str]]:
        approval.set_reporting_month(self.cleaned_data["period"])
        return [("success", _("Reporting month changed."))]


class RemindForm(forms.Form):
    """E-mail every owner the values they owe."""

    def apply(self, user: Any, base_url: str) -> list[tuple[str, str]]:
        sent = collection.send_reminders(user, base_url)
        told = [
            ("success", _("%(n)d reminder(s) sent.") % {"n": sum(1 for r in sent if r.address)})
        ]
        missing = [r.owner for r in sent if not r.address]
        if missing:
            told.append(
                ("warning", _("No e-mail address for: %(who)s") % {"who": ", ".join(missing)})
            )
        return told


ADMINISTRATION_ACTIONS: dict[str, type[forms.Form]] = {
    "lock": LockForm,
    "unlock": UnlockForm,
    "reporting": ReportingMonthForm,
    "remind": RemindForm,
}
"""The form of each button of the data administration page (its ``action`` value)."""
