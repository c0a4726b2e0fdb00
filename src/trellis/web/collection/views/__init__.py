"""Data collection pages: my updates, imports and exports, approvals, data administration."""

from trellis.web.collection.views.administration import ApprovalsPage, DataAdminPage
from trellis.web.collection.views.imports import ImportsPage, UndoImportView, export_view
from trellis.web.collection.views.updates import UpdatesPage, check_entry

__all__ = [
    "ApprovalsPage",
    "DataAdminPage",
    "ImportsPage",
    "UndoImportView",
    "UpdatesPage",
    "check_entry",
    "export_view",
]
