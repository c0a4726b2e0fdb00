"""Django app configuration."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """The accounts app."""

    name = "trellis.web.accounts"
    label = "accounts"
