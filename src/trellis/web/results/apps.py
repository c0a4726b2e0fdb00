"""Django app configuration."""

from django.apps import AppConfig


class ResultsConfig(AppConfig):
    """The results app."""

    name = "trellis.web.results"
    label = "results"
