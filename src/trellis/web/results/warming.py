"""Rendering the busiest pages before anyone asks: after results change, the scorecards and
strategy maps of the units concerned (and, where a worker has the time, their measure pages)
are rendered into the shared page cache, so the first person to open them gets a cached
page."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from trellis.web.core.memo import memo_scope
from trellis.web.results.views import MeasurePage, StrategyMapPage, UnitPage
from trellis.web.scorecards.models import Measure, Unit
from trellis.web.scorecards.services.rights import data_menu

PAGES = (("unit", UnitPage), ("strategy-map", StrategyMapPage))


def with_measures(asked: bool | None) -> bool:
    """Whether measure pages are rendered too: as asked, else ``TRELLIS_WARM_MEASURES``."""
    return settings.TRELLIS_WARM_MEASURES if asked is None else asked


def warm(unit_codes: Iterable[str] | None = None, measures: bool | None = None) -> int:
    """Render the scorecard and strategy map of these units (all units when None) for the
    default period, as people who see the whole organization see them, and with
    ``measures`` the pages of their active measures too (default: the
    ``TRELLIS_WARM_MEASURES`` setting). Pages already in the cache cost a lookup. Returns
    the number of units visited (0 when switched off with ``TRELLIS_WARM_PAGES=off`` or when
    nobody sees the whole organization)."""
    if settings.TRELLIS_WARM_PAGES == "off":
        return 0
    viewer = get_user_model().objects.filter(is_active=True, is_superuser=True).first()
    if viewer is None:
        return 0
    menu = data_menu(viewer)
    units = Unit.objects.order_by("path")
    if unit_codes is not None:
        units = units.filter(code__in=list(unit_codes))
    codes = list(units.values_list("code", flat=True))
    pages = [(name, page, code) for code in codes for name, page in PAGES]
    if with_measures(measures):
        found = Measure.objects.filter(unit__code__in=codes, active=True).order_by("position")
        pages += [("measure", MeasurePage, m) for m in found.values_list("code", flat=True)]
    for name, page, code in pages:
        with memo_scope():
            page.render_ahead(viewer, reverse(name, args=[code]), menu, code=code)
    return len(codes)
