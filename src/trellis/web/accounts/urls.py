"""URLs of signing in and out."""

from django.urls import path

from trellis.web.accounts import views

urlpatterns = [
    path("login/", views.ThrottledLoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
]
