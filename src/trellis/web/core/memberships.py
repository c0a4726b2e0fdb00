"""Who holds which role where: the rows the one permission filter reads."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from trellis.web.core.roles import ROLE_CHOICES


class Membership(models.Model):
    """A person holds a role on a unit and its whole subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(
        "scorecards.Unit", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=ROLE_CHOICES)
    # Kept in the tables the accounts app made (the model moved here; its rows did not).
    history = HistoricalRecords(table_name="accounts_historicalmembership")

    class Meta:
        app_label = "core"
        db_table = "accounts_membership"
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="unique_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.role} on {self.unit}"
