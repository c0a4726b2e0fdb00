"""Admin pages of the definitions: read only, with their change history. Definitions change
through the definition editor and ``trellis import-scorecard``, which check the whole
scorecard and recompute the results."""

from django.contrib import admin

from trellis.web.core.admin import ReadOnlyAdmin, ReadOnlyRecordAdmin
from trellis.web.scorecards.models import Link, Measure, Objective, Organization, Unit


@admin.register(Organization)
class OrganizationAdmin(ReadOnlyAdmin):
    """The organization."""

    list_display = ("name", "revision", "data_revision")


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdmin):
    """Units."""

    list_display = ("code", "name", "kind", "parent", "owner")
    search_fields = ("code", "name")
    ordering = ("path",)  # the tree: each unit under its parent, subtrees together


@admin.register(Objective)
class ObjectiveAdmin(ReadOnlyAdmin):
    """Objectives."""

    list_display = ("code", "name", "unit", "perspective", "weight", "active")
    list_filter = ("perspective", "active")
    search_fields = ("code", "name")


@admin.register(Measure)
class MeasureAdmin(ReadOnlyAdmin):
    """Measures."""

    list_display = ("code", "name", "unit", "frequency", "source", "owner", "active")
    list_filter = ("frequency", "source", "active")
    search_fields = ("code", "name", "owner")


@admin.register(Link)
class LinkAdmin(ReadOnlyRecordAdmin):
    """Cascade and cause-and-effect links."""

    list_display = ("kind", "source", "target", "weight")
    list_filter = ("kind",)
