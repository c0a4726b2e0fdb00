"""Django app configuration."""

from django.apps import AppConfig


class ScorecardsConfig(AppConfig):
    """The scorecards app."""

    name = "trellis.web.scorecards"
    label = "scorecards"
