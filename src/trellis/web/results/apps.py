"""Django app configuration."""

from django.apps import AppConfig


class ResultsConfig(AppConfig):
    """The results app."""

    name = "trellis.web.results"
    label = "results"

    def ready(self) -> None:
        """Connect the signals that keep stored results current."""
        from trellis.web.results import signals

        signals.connect()
