"""URLs of the scorecard pages."""

from django.urls import path

from trellis.web.scorecards import views

urlpatterns = [
    path("", views.HomePage.as_view(), name="home"),
    path("units/<str:code>/", views.UnitPage.as_view(), name="unit"),
    path("units/<str:code>/map/", views.StrategyMapPage.as_view(), name="strategy-map"),
    path("objectives/<str:code>/", views.ObjectivePage.as_view(), name="objective"),
    path("objectives/<str:code>/cascade/", views.CascadePage.as_view(), name="cascade"),
    path("measures/<str:code>/", views.MeasurePage.as_view(), name="measure"),
    path("measures/<str:code>/edit/", views.MeasureEditPage.as_view(), name="measure-edit"),
    path("findings/", views.FindingsPage.as_view(), name="findings"),
    path("exceptions/", views.ExceptionsPage.as_view(), name="exceptions"),
    path("history/<str:kind>/<str:code>/", views.HistoryFragment.as_view(), name="history"),
]
