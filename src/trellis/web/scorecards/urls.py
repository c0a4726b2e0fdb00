"""URLs of the definition pages."""

from django.urls import path

from trellis.web.scorecards import views

urlpatterns = [
    path("measures/<str:code>/edit/", views.MeasureEditPage.as_view(), name="measure-edit"),
    path("findings/", views.FindingsPage.as_view(), name="findings"),
]
