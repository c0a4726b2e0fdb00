"""People's roles on parts of the organization."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from trellis.web.accounts.sessions import Session
from trellis.web.accounts.throttle import LoginAttempts
from trellis.web.core.roles import ROLE_CHOICES

__all__ = ["LoginAttempts", "Membership", "Session"]


class Membership(models.Model):
    """A person holds a role on a unit and its whole subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(
        "scorecards.Unit", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=ROLE_CHOICES)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="unique_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.role} on {self.unit}"
