"""What every result page shares: the period shown, the organization, the revisions of
what it shows in its cache scope, and breadcrumbs up the cascade."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.utils.translation import gettext as _

from trellis.web.core.delegate import Unavailable
from trellis.web.core.views import ObjectPage, TrellisPage
from trellis.web.results.periods import chosen_period
from trellis.web.scorecards.models import Organization
from trellis.web.scorecards.navigation import unit_crumbs

T = TypeVar("T")

__all__ = ["ResultsObjectPage", "ResultsPage", "perspectives", "series_by", "unit_crumbs"]


class ResultsPage(TrellisPage):
    """A page of results: the chosen period (``?period=``) and the organization in its
    context, both in its cache scope with the definition and data revisions."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["period"] = chosen_period(self.request)
        context["organization"] = Organization.current()
        return context

    def cacheable(self, context: dict[str, Any]) -> bool:
        # A page that echoes a mistyped period is answered for that request only, and so
        # is one shown without the worker's part (it is kept once that part is there).
        return not context["period"].error and not context.get("incomplete")

    def evaluated(self, context: dict[str, Any], call: Callable[[], T], missing: T) -> T:
        """What ``call`` gets from the evaluated scorecard; ``missing`` when the worker
        that holds it does not answer in time (the page then says so and is not kept)."""
        try:
            return call()
        except Unavailable:
            context["incomplete"] = True
            return missing

    def period_key(self, context: dict[str, Any]) -> str:
        return str(context["period"].label)

    def revisions(self, context: dict[str, Any]) -> tuple[int, ...]:
        org = context["organization"]
        return (int(org.revision), self.data_revision(context)) if org else (0, 0)

    def data_revision(self, context: dict[str, Any]) -> int:
        """The revision of the results this page shows: the organization's (any change of
        data), unless the page shows one unit's results only (``unit_results``)."""
        org = context["organization"]
        return int(org.data_revision) if org else 0


class ResultsObjectPage(ObjectPage, ResultsPage):
    """A result page about one object. With ``unit_results`` set, the page shows the
    results of the object's unit only (the unit itself or one of its objects), so its
    cached body is keyed by that unit's data revision: a change elsewhere in the
    organization leaves it valid."""

    unit_results = False

    def data_revision(self, context: dict[str, Any]) -> int:
        if not self.unit_results:
            return super().data_revision(context)
        unit = self.object if hasattr(self.object, "path") else self.object.unit
        return int(unit.data_revision)


def perspectives(context: dict[str, Any]) -> list[dict[str, Any]]:
    """The organization's perspectives, top of the strategy map first."""
    org = context["organization"]
    listed = (org.definition if org else {}).get("perspectives") or [
        {"code": "learning", "name": _("Learning & Growth")},
        {"code": "process", "name": _("Internal Processes")},
        {"code": "customer", "name": _("Customer")},
        {"code": "financial", "name": _("Financial")},
    ]
    return list(reversed(listed))


def series_by(model: Any, grain: str, **filters: Any) -> dict[Any, Any]:
    """Stored series of one grain by the id of what they belong to (the filter's field)."""
    key = next(iter(filters)).removesuffix("__in") + "_id"
    return {getattr(s, key): s for s in model.objects.filter(grain=grain, **filters)}
