"""What every app's admin pages share."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from trellis.web.core.models import Membership


class ReadOnly:
    """Admin pages that show rows and change nothing. Definitions, data and connections
    change only through their services (the definition editor and ``trellis
    import-scorecard``; entry, imports, approval and connectors; the connectors page),
    where permissions, checks, locks, approval and recomputation apply; a save in the admin
    would skip all of them."""

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnly, SimpleHistoryAdmin):
    """A read-only admin page of a model with change history."""


class ReadOnlyRecordAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    """A read-only admin page of a record kept without history."""


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    """Who holds which role on which unit (roles are given here)."""

    list_display = ("user", "unit", "role")
    list_filter = ("role",)
