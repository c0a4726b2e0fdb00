"""Base classes shared by the domain models."""

from __future__ import annotations

from django.db import models

from trellis.web.core.querysets import RestrictedQuerySet


class Restricted(models.Model):
    """A model whose rows belong to a unit and are filtered by the user's roles."""

    unit_path_field = "unit__path"

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True
