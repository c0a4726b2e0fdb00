"""Data collection's own records: uploaded files waiting between their preview and their
import. (The table was made by the observations app; it keeps its name.)"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PendingUpload(models.Model):
    """A data file checked and previewed, waiting for its person to import it. It is
    removed when imported, when it expires (``TRELLIS_UPLOAD_MINUTES``) and when its person
    has more than ``TRELLIS_PENDING_UPLOADS`` waiting (the oldest go first); files with
    errors and files of people who may not enter data are never kept."""

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pending_uploads"
    )
    file_name = models.CharField(_("file"), max_length=300)
    content = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    """When its import was handed to the worker (large files with a worker); it stays until
    the import is committed, so an import interrupted half-way is simply run again."""
    confirmed = models.BooleanField(default=False)
    """Whether its person confirmed the outliers the check asked about."""
    failure = models.TextField(blank=True)
    """Why a queued import wrote nothing (the data changed since the preview)."""

    class Meta:
        db_table = "observations_pendingupload"
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.user}, {self.created_at:%Y-%m-%d %H:%M})"
