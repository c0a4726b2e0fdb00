"""Generic page views every app's pages subclass: period selection, breadcrumbs and the
permission filter (an object the user may not see is a 404, never a 403 that leaks it)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.cache import cache
from django.db import models
from django.http import Http404
from django.template.loader import render_to_string
from django.views.generic import TemplateView

from trellis.web.core.periods import chosen_period, organization
from trellis.web.core.querysets import allowed_paths
from trellis.web.core.roles import Action

CONTENT_SECONDS = 86_400  # keys carry the revisions: a stale body is never served


class TrellisPage(TemplateView):
    """A page with the chosen period and breadcrumbs in its context.

    Pages that set ``content_template`` render their body from it through ``add_content``
    and keep the result in the cache, keyed by the page, the period, the definition and data
    revisions and the user's scope: people who see the same thing share it, and any change
    of definitions or of the data shown makes new keys.
    """

    template_name = "page.html"
    title = ""
    content_template: str | None = None
    needs_chart = False

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["period"] = chosen_period(self.request)
        context["organization"] = organization()
        context["title"] = self.title
        context["breadcrumbs"] = self.breadcrumbs(context)
        if self.content_template is not None:
            key = self.content_key(context)
            html = cache.get(key)
            if html is None:
                self.add_content(context)
                html = render_to_string(self.content_template, context, request=self.request)
                cache.set(key, html, CONTENT_SECONDS)
            context["content"] = html
        return context

    def add_content(self, context: dict[str, Any]) -> None:
        """Put what the content template needs into the context (only on a cache miss)."""

    def content_key(self, context: dict[str, Any]) -> str:
        """The cache key of this page's body."""
        org = context["organization"]
        paths = allowed_paths(self.request.user, Action.VIEW)
        scope = "all" if paths is None else hashlib.sha256("|".join(paths).encode()).hexdigest()
        revisions = (org.revision, self.data_revision(context)) if org else (0, 0)
        raw = f"{self.request.get_full_path()}|{context['period'].label}|{revisions}|{scope}"
        return "trellis:page:" + hashlib.sha256(raw.encode()).hexdigest()

    def data_revision(self, context: dict[str, Any]) -> int:
        """The revision of the results this page shows: the organization's (any change of
        data), unless the page shows one unit's results only (see ``UnitScoped``)."""
        org = context["organization"]
        return int(org.data_revision) if org else 0

    def breadcrumbs(self, context: dict[str, Any]) -> list[tuple[str, str]]:
        """(label, url) pairs from the organization down to this page."""
        return []


class ObjectPage(TrellisPage):
    """A page about one object found by its code among the objects the user may see.

    With ``unit_results`` set, the page shows the results of the object's unit only (the
    unit itself or one of its objects), so its cached body is keyed by that unit's data
    revision: a change elsewhere in the organization leaves it valid.
    """

    model: type[models.Model]
    action: str = Action.VIEW
    context_object_name = "object"
    related: tuple[str, ...] = ()
    unit_results = False

    def get_object(self) -> Any:
        """The object, or 404 when it does not exist or the user may not see it."""
        manager = self.model.objects  # type: ignore[attr-defined]
        found = manager.restrict(self.request.user, self.action)
        if self.related:
            found = found.select_related(*self.related)
        try:
            return found.get(code=self.kwargs["code"])
        except self.model.DoesNotExist:  # type: ignore[attr-defined]
            raise Http404(f"no {self.model._meta.verbose_name} {self.kwargs['code']}") from None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        self.object = self.get_object()
        kwargs[self.context_object_name] = self.object
        return super().get_context_data(**kwargs)

    def data_revision(self, context: dict[str, Any]) -> int:
        if not self.unit_results:
            return super().data_revision(context)
        unit = self.object if hasattr(self.object, "path") else self.object.unit
        return int(unit.data_revision)
