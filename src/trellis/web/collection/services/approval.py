"""Approval of submitted values by data stewards, and locking of closed periods."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from trellis.web.collection.services.data import closing_lock, locks, refresh_after
from trellis.web.core.roles import Action
from trellis.web.observations.models import PeriodLock, Submission
from trellis.web.observations.services.versions import Version, stored_observations, write_versions
from trellis.web.results.services.pages import calendar
from trellis.web.scorecards.models import Organization


class Refused(Exception):
    """The action may not happen; the message says why."""


def pending_for(user: Any) -> Any:
    """Pending submissions ``user`` may decide on (as steward of the measure or admin)."""
    return (
        Submission.objects.restrict(user, Action.APPROVE_DATA)
        .filter(state=Submission.State.PENDING)
        .select_related("measure", "submitted_by")
    )


def decide(submission_ids: list[int], user: Any, approve: bool, reason: str = "") -> int:
    """Approve (the values become observations and are scored) or reject (with a reason)
    pending submissions the user may decide on; returns how many were decided."""
    if not approve and not reason.strip():
        raise Refused(_("say why the values are rejected"))
    now = timezone.now()
    with transaction.atomic():
        found = list(
            pending_for(user).select_for_update(of=("self",)).filter(pk__in=submission_ids)
        )
        if len(found) != len(set(submission_ids)):
            raise Refused(_("some of these values are not waiting for your approval"))
        if approve:
            closed = locks()
            for s in found:
                if closing_lock(s.measure.frequency, s.end_month, closed) is not None:
                    raise Refused(
                        _("{code} {period} lies in a locked period").format(
                            code=s.measure.code, period=s.period
                        )
                    )
            _write(found, user, now)
        for s in found:
            s.state = Submission.State.APPROVED if approve else Submission.State.REJECTED
            s.decided_by, s.decided_at, s.reason = user, now, reason.strip()
        Submission.objects.bulk_update(found, ["state", "decided_by", "decided_at", "reason"])
    return len(found)


def _write(found: list[Submission], user: Any, now: Any) -> None:
    stored = stored_observations({s.measure_id for s in found})
    versions = [
        Version(
            stored.get((s.measure_id, s.period, s.segment), (None,))[0],
            s.measure_id,
            s.period,
            s.end_month,
            s.segment,
            s.value,
            s.comment,
            s.source,
            s.submitted_by_id,
        )
        for s in found
    ]
    reason = _("approved by {user}").format(user=user.get_username())
    write_versions(versions, user, reason, now)
    refresh_after([(s.measure.code, s.period, s.value, s.segment) for s in found])


def lock_period(label: str, user: Any, reason: str = "") -> PeriodLock:
    """Close a period (a month, quarter, half or fiscal year) to every write."""
    try:
        period = calendar().parse(label)
    except ValueError as exc:
        raise Refused(str(exc)) from None
    if PeriodLock.objects.filter(period=period.label).exists():
        raise Refused(_("{period} is already locked").format(period=period.label))
    author = user if getattr(user, "is_authenticated", False) else None
    return PeriodLock.objects.create(
        period=period.label,
        first_month=period.start,
        last_month=period.end,
        reason=reason,
        locked_by=author,
    )


def unlock_period(label: str) -> None:
    """Open a locked period again."""
    deleted, _count = PeriodLock.objects.filter(period=label).delete()
    if not deleted:
        raise Refused(_("{period} is not locked").format(period=label))


def month_of(label: str) -> int:
    """The month index of a month label (for the reporting month)."""
    try:
        period = calendar().parse(label)
    except ValueError as exc:
        raise Refused(str(exc)) from None
    if period.grain.value != "month":
        raise Refused(_("the reporting month must be a month (YYYY-MM), not {p}").format(p=label))
    return int(period.end)


def set_reporting_month(label: str) -> int:
    """Make the month ``label`` the one data is collected for; its month index."""
    month = month_of(label)
    Organization.objects.update(reporting_month=month)
    return month
