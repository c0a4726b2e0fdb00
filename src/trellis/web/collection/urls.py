"""URLs of the data collection pages (under ``/data/``)."""

from django.urls import path

from trellis.web.collection import views

urlpatterns = [
    path("updates/", views.UpdatesPage.as_view(), name="my-updates"),
    path("updates/check/", views.check_entry, name="check-entry"),
    path("imports/", views.ImportsPage.as_view(), name="imports"),
    path("imports/<int:pk>/undo/", views.UndoImportView.as_view(), name="undo-import"),
    path("export/", views.export_view, name="export-data"),
    path("approvals/", views.ApprovalsPage.as_view(), name="approvals"),
    path("admin/", views.DataAdminPage.as_view(), name="data-admin"),
]
