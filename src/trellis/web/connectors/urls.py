"""URLs of the database connectors page (under ``/data/``)."""

from django.urls import path

from trellis.web.connectors import views

urlpatterns = [
    path("connectors/", views.ConnectorsPage.as_view(), name="connectors"),
]
