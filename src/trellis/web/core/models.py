"""The ground every app stands on: who holds which role where, and the base class of every
model whose rows belong to a unit."""

from __future__ import annotations

from django.db import models

from trellis.web.core.memberships import Membership
from trellis.web.core.querysets import RestrictedQuerySet

__all__ = ["Heartbeat", "Membership", "Restricted"]


class Restricted(models.Model):
    """A model whose rows belong to a unit and are filtered by the user's roles."""

    unit_path_field = "unit__path"

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True


class Heartbeat(models.Model):
    """The last sign of life of a background process (``trellis worker``), for /healthz."""

    name = models.CharField(max_length=200, primary_key=True)
    """The process: host name and process id."""
    seen = models.DateTimeField()
