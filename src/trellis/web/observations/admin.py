"""Admin pages for observations, with change history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from trellis.web.observations.models import Observation


@admin.register(Observation)
class ObservationAdmin(SimpleHistoryAdmin):
    """Observations."""

    list_display = ("measure", "period", "segment", "value", "source", "changed_by", "changed_at")
    list_filter = ("source",)
    search_fields = ("measure__code", "period")
