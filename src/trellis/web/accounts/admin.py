"""Admin pages for memberships."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from trellis.web.accounts.models import Membership


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    """Who holds which role on which unit."""

    list_display = ("user", "unit", "role")
    list_filter = ("role",)
