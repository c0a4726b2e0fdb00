"""URLs of the pages that show results."""

from django.urls import path

from trellis.web.results import views

urlpatterns = [
    path("", views.HomePage.as_view(), name="home"),
    path("units/<str:code>/", views.UnitPage.as_view(), name="unit"),
    path("units/<str:code>/map/", views.StrategyMapPage.as_view(), name="strategy-map"),
    path("objectives/<str:code>/", views.ObjectivePage.as_view(), name="objective"),
    path("objectives/<str:code>/cascade/", views.CascadePage.as_view(), name="cascade"),
    path("measures/<str:code>/", views.MeasurePage.as_view(), name="measure"),
    path("exceptions/", views.ExceptionsPage.as_view(), name="exceptions"),
    path("history/<str:kind>/<str:code>/", views.HistoryFragment.as_view(), name="history"),
]
