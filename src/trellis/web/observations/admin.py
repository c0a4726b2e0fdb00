"""Admin pages of the data: read only, with their change history. Values change through
entry, imports, approval and connectors (locks, data rules, approval and recomputation
apply there)."""

from django.contrib import admin

from trellis.web.core.admin import ReadOnlyAdmin, ReadOnlyRecordAdmin
from trellis.web.observations.models import DataImport, Observation, PeriodLock, Submission


@admin.register(Observation)
class ObservationAdmin(ReadOnlyAdmin):
    """Observations."""

    list_display = ("measure", "period", "segment", "value", "source", "changed_by", "changed_at")
    list_filter = ("source",)
    search_fields = ("measure__code", "period")


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyRecordAdmin):
    """Values waiting for approval, and the decisions on them."""

    list_display = ("measure", "period", "segment", "value", "state", "submitted_by")
    list_filter = ("state",)
    search_fields = ("measure__code", "period")


@admin.register(DataImport)
class DataImportAdmin(ReadOnlyRecordAdmin):
    """Imports and connector writes."""

    list_display = ("file_name", "source", "user", "created_at", "created", "updated", "pending")
    list_filter = ("source",)


@admin.register(PeriodLock)
class PeriodLockAdmin(ReadOnlyAdmin):
    """Locked periods."""

    list_display = ("period", "reason", "locked_by", "locked_at")
