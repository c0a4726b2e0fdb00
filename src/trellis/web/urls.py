"""URL configuration of the Trellis web application."""

from django.contrib import admin
from django.urls import include, path

from trellis.web.accounts import views as account_views

urlpatterns = [
    path("login/", account_views.ThrottledLoginView.as_view(), name="login"),
    path("logout/", account_views.logout_view, name="logout"),
    path("admin/", admin.site.urls),
    path("data/", include("trellis.web.observations.urls")),
    path("", include("trellis.web.scorecards.urls")),
]
