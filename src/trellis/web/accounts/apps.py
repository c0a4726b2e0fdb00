"""Django app configuration."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """The accounts app."""

    name = "trellis.web.accounts"
    label = "accounts"

    def ready(self) -> None:
        """Connect the signal handlers."""
        from trellis.web.accounts import signals  # noqa: F401
