"""Cross-cutting pieces: roles and the permission filter, base models, generic views."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The core app."""

    name = "trellis.web.core"
    label = "core"
    verbose_name = _("Roles and permissions")
