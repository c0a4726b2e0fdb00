"""URL configuration of the Trellis web application: each app's pages under its prefix."""

from django.contrib import admin
from django.urls import include, path

from trellis.web.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", include("trellis.web.accounts.urls")),
    path("admin/", admin.site.urls),
    path("data/", include("trellis.web.collection.urls")),
    path("data/", include("trellis.web.connectors.urls")),
    path("", include("trellis.web.scorecards.urls")),
    path("", include("trellis.web.results.urls")),
]
