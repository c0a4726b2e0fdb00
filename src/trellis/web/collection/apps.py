"""Django app configuration."""

from django.apps import AppConfig


class CollectionConfig(AppConfig):
    """Data collection: entry, imports, approvals, locks, data quality, reminders, exports."""

    name = "trellis.web.collection"
    label = "collection"
