"""Admin pages for power users, with change history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from trellis.web.scorecards.models import Link, Measure, Objective, Organization, Unit


@admin.register(Organization)
class OrganizationAdmin(SimpleHistoryAdmin):
    """The organization."""

    list_display = ("name", "revision", "data_revision")


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    """Units."""

    list_display = ("code", "name", "kind", "parent", "owner")
    search_fields = ("code", "name")


@admin.register(Objective)
class ObjectiveAdmin(SimpleHistoryAdmin):
    """Objectives."""

    list_display = ("code", "name", "unit", "perspective", "weight", "active")
    list_filter = ("perspective", "active")
    search_fields = ("code", "name")


@admin.register(Measure)
class MeasureAdmin(SimpleHistoryAdmin):
    """Measures."""

    list_display = ("code", "name", "unit", "frequency", "source", "owner", "active")
    list_filter = ("frequency", "source", "active")
    search_fields = ("code", "name", "owner")


admin.site.register(Link)
