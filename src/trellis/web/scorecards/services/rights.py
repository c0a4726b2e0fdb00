"""What a person may do with the data of measures, across the whole organization: enter it
(by a role, or as a measure's owner or steward) and approve it (an administrator, or a
measure's data steward). The menu of every page shows only the data pages one may use."""

from __future__ import annotations

from typing import Any

from trellis.web.core.roles import Action
from trellis.web.scorecards.models import Measure


def may_enter_data(user: Any) -> bool:
    """Whether ``user`` may enter a value of any measure (by a role, or as the owner or
    steward of one)."""
    if getattr(user, "is_superuser", False):
        return True
    return Measure.objects.restrict(user, Action.ENTER_DATA).exists()


def may_approve_data(user: Any) -> bool:
    """Whether ``user`` may decide on submitted values of any measure (an administrator,
    or the data steward of one)."""
    if getattr(user, "is_superuser", False):
        return True
    return Measure.objects.restrict(user, Action.APPROVE_DATA).exists()


def data_menu(user: Any) -> tuple[str, ...]:
    """The data pages ``user`` may use, by URL name: entering data (My updates, Import) and
    approving it; nothing for someone who may only read."""
    if not getattr(user, "is_authenticated", False):
        return ()
    entering = ("my-updates", "imports") if may_enter_data(user) else ()
    return entering + (("approvals",) if may_approve_data(user) else ())
