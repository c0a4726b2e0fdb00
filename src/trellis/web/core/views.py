"""Generic page views every app's pages subclass: period selection, breadcrumbs and the
permission filter (an object the user may not see is a 404, never a 403 that leaks it)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import Http404
from django.views.generic import TemplateView

from trellis.web.core.periods import chosen_period, organization
from trellis.web.core.roles import Action


class TrellisPage(TemplateView):
    """A page with the chosen period and breadcrumbs in its context."""

    title = ""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["period"] = chosen_period(self.request)
        context["organization"] = organization()
        context["title"] = self.title
        context["breadcrumbs"] = self.breadcrumbs(context)
        return context

    def breadcrumbs(self, context: dict[str, Any]) -> list[tuple[str, str]]:
        """(label, url) pairs from the organization down to this page."""
        return []


class ObjectPage(TrellisPage):
    """A page about one object found by its code among the objects the user may see."""

    model: type[models.Model]
    action: str = Action.VIEW
    context_object_name = "object"

    def get_object(self) -> Any:
        """The object, or 404 when it does not exist or the user may not see it."""
        manager = self.model.objects  # type: ignore[attr-defined]
        try:
            return manager.restrict(self.request.user, self.action).get(code=self.kwargs["code"])
        except self.model.DoesNotExist:  # type: ignore[attr-defined]
            raise Http404(f"no {self.model._meta.verbose_name} {self.kwargs['code']}") from None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        self.object = self.get_object()
        kwargs[self.context_object_name] = self.object
        return super().get_context_data(**kwargs)
