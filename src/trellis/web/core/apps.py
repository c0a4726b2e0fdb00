"""Cross-cutting pieces: roles and the permission filter, base models, generic views."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The core app."""

    name = "trellis.web.core"
    label = "core"
