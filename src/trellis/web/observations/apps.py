"""Django app configuration."""

from django.apps import AppConfig


class ObservationsConfig(AppConfig):
    """The observations app."""

    name = "trellis.web.observations"
    label = "observations"
