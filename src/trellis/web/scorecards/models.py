"""Definitions: organization, units, objectives and measures.

Each row keeps the queryable columns (code, name, links) and the full definition as JSON
(``definition``), exactly as the engine's frozen models dump it, so import and export are
lossless. Every change is recorded in the history tables.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from trellis.web.core.memo import remember
from trellis.web.core.models import Restricted
from trellis.web.core.roles import Action


class Organization(models.Model):
    """The one organization of the installation; ``revision`` counts definition changes."""

    name = models.CharField(_("name"), max_length=200)
    definition = models.JSONField(default=dict)
    revision = models.PositiveIntegerField(default=0)
    data_revision = models.PositiveIntegerField(default=0)
    results_revision = models.PositiveIntegerField(default=0)
    """The data revision the stored results were written for: behind ``data_revision`` while
    a refresh is under way, or when one was interrupted (``trellis worker`` catches up)."""
    reporting_month = models.IntegerField(_("reporting month"), null=True, blank=True)
    """The month data is being collected for (month index); empty: the month before today."""
    history = HistoricalRecords(excluded_fields=["revision", "data_revision", "results_revision"])

    def __str__(self) -> str:
        return self.name

    @classmethod
    def current(cls) -> Organization | None:
        """The installation's organization (None before a scorecard is imported); read once
        per request."""
        return remember("organization", lambda: cls.objects.order_by("pk").first())


class Unit(Restricted):
    """A node of the organization tree; ``path`` is ``/root/…/code/`` for subtree filters;
    ``data_revision`` changes whenever results of the unit's measures or objectives do."""

    unit_path_field = "path"

    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=64, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    owner = models.CharField(_("owner"), max_length=150, blank=True)
    path = models.CharField(max_length=2000, db_index=True)
    depth = models.PositiveSmallIntegerField(default=0)
    position = models.PositiveIntegerField(default=0)
    definition = models.JSONField(default=dict)
    data_revision = models.PositiveIntegerField(default=0)
    """Counts rewrites of this unit's stored results: the pages about it are cached by it."""
    history = HistoricalRecords(excluded_fields=["data_revision"])

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> Unit:
        unit: Unit = super().from_db(db, field_names, values)
        unit._stored_path = unit.__dict__.get("path")
        return unit

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save with ``path`` and ``depth`` taken from the parent (the path is the
        permission key: it is never written by hand); when the unit moved, the paths of its
        whole subtree move with it. A parent inside the unit's own subtree is refused."""
        fields = kwargs.get("update_fields")
        if fields is not None and not {"parent", "code"} & set(fields):
            super().save(*args, **kwargs)  # the place cannot have changed
            return
        before = getattr(self, "_stored_path", None)
        parent_path = self.parent.path if self.parent is not None else "/"
        if before and parent_path.startswith(before):
            raise ValueError(f"unit {self.code} cannot move under its own subtree")
        self.path = f"{parent_path}{self.code}/"
        self.depth = self.path.count("/") - 2
        if fields is not None:
            kwargs["update_fields"] = {*fields, "path", "depth"}
        super().save(*args, **kwargs)
        if before and before != self.path:
            moved = list(Unit.objects.filter(path__startswith=before).exclude(pk=self.pk))
            for unit in moved:
                unit.path = self.path + unit.path[len(before) :]
                unit.depth = unit.path.count("/") - 2
            Unit.objects.bulk_update(moved, ["path", "depth"], batch_size=500)
        self._stored_path = self.path

    def ancestors(self) -> list[Unit]:
        """From the root down to the parent."""
        codes = [c for c in self.path.strip("/").split("/")[:-1] if c]
        found = {u.code: u for u in Unit.objects.filter(code__in=codes)}
        return [found[c] for c in codes if c in found]


class Defined(Restricted):
    """What objectives and measures share: a code, a name, an owner, their place in the
    scorecard's order, the full definition and its history."""

    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=300)
    owner = models.CharField(_("owner"), max_length=150, blank=True)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(default=0)
    definition = models.JSONField(default=dict)
    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Objective(Defined):
    """An objective on a unit's scorecard."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="objectives")
    perspective = models.CharField(_("perspective"), max_length=64)
    weight = models.FloatField(_("weight"), default=1.0)

    class Meta(Defined.Meta):
        pass


class Link(models.Model):
    """A cascade (``supports``) or cause-and-effect (``drives``) link between objectives."""

    SUPPORTS = "supports"
    DRIVES = "drives"

    kind = models.CharField(max_length=16, choices=[(SUPPORTS, SUPPORTS), (DRIVES, DRIVES)])
    source = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="links_in")
    weight = models.FloatField(default=1.0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "source", "target"], name="unique_link")
        ]
        # The links into an objective (what supports it), found without walking every link
        # of the kind: the unique constraint's index leads with the source; this one, like
        # it, holds every column a join reads.
        indexes = [models.Index(fields=["target", "kind", "source"], name="link_into")]


class Measure(Defined):
    """A measure of an objective; ``unit`` is the objective's unit (kept for filtering)."""

    person_fields = {
        Action.ENTER_DATA: ("owner", "steward"),
        Action.APPROVE_DATA: ("steward",),
    }

    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="measures")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="measures")
    steward = models.CharField(_("data steward"), max_length=150, blank=True)
    frequency = models.CharField(_("frequency"), max_length=16)
    source = models.CharField(_("source"), max_length=16)

    class Meta(Defined.Meta):
        pass

    @property
    def decimals(self) -> int:
        """How many decimals its values are shown with (its definition's, else 2)."""
        return int(self.definition.get("decimals", 2))

    @property
    def unit_of_measure(self) -> str:
        """What its values count (EUR k, %, customers…; '' when not said)."""
        return str(self.definition.get("unit_of_measure") or "")
