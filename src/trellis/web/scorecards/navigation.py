"""Breadcrumbs up the cascade, shared by every page about a unit or something in it."""

from __future__ import annotations

from django.urls import reverse

from trellis.web.scorecards.models import Unit


def unit_crumbs(unit: Unit) -> list[tuple[str, str]]:
    """(name, url) from the top unit down to ``unit``."""
    crumbs = [(a.name, reverse("unit", args=[a.code])) for a in unit.ancestors()]
    return [*crumbs, (unit.name, reverse("unit", args=[unit.code]))]
