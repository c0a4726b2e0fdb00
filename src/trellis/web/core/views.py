"""Generic page views every app's pages subclass: period selection, breadcrumbs and the
permission filter (an object the user may not see is a 404, never a 403 that leaks it)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.cache import cache
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.views.generic import TemplateView

from trellis.web.core import slots
from trellis.web.core.cache import code_fingerprint
from trellis.web.core.periods import chosen_period, organization
from trellis.web.core.querysets import allowed_paths
from trellis.web.core.roles import Action

CONTENT_SECONDS = 86_400  # keys carry the revisions: a stale body is never served


class TrellisPage(TemplateView):
    """A page with the chosen period, breadcrumbs and actions in its context.

    Pages that set ``content_template`` render their body from it through ``add_content``
    and are kept whole in the page cache, keyed by the page, the period, the definition and
    data revisions, the user's scope and what the page frame shows them (the Admin link, the
    actions): people who see the same thing share it, and any change of definitions or of
    the data shown makes new keys. Each request puts its own CSRF token, user name and
    messages into the cached page (``slots``), so a cached page costs the queries that find
    the object and its revisions, a cache read and three string replacements.
    """

    template_name = "page.html"
    title = ""
    content_template: str | None = None
    needs_chart = False

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        context = self.get_context_data(**kwargs)
        if self.content_template is None or context["period"].error:
            # A page that echoes a mistyped period is rendered for that request only: a
            # cache entry per typo would let anyone fill the cache.
            if self.content_template is not None:
                self.render_content(context)
            return self.render_to_response(context)
        key = self.page_key(context)
        page = cache.get(key)
        if page is None:
            context.update(slots.placeholders())
            self.render_content(context)
            page = render_to_string(self.template_name, context, request=request)
            cache.set(key, page, CONTENT_SECONDS)
        return HttpResponse(slots.fill(page, request))

    def render_content(self, context: dict[str, Any]) -> None:
        """Put the breadcrumbs and the rendered content into the context."""
        assert self.content_template is not None
        context["breadcrumbs"] = self.breadcrumbs(context)
        self.add_content(context)
        context["content"] = render_to_string(self.content_template, context, request=self.request)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["period"] = chosen_period(self.request)
        context["organization"] = organization()
        context["title"] = self.title
        context["actions"] = self.actions()
        if self.content_template is None:
            context["breadcrumbs"] = self.breadcrumbs(context)
        return context

    def actions(self) -> list[tuple[str, str]]:
        """(label, url) of what this user may do with the page's object (part of the key)."""
        return []

    def query_key(self) -> str:
        """What the page reads of the query string besides ``period``, normalized (part of
        the key; a page that reads more overrides this)."""
        return ""

    def add_content(self, context: dict[str, Any]) -> None:
        """Put what the content template needs into the context (only on a cache miss)."""

    def page_key(self, context: dict[str, Any]) -> str:
        """The cache key of this page."""
        org, user = context["organization"], self.request.user
        paths = allowed_paths(user, Action.VIEW)
        scope = "all" if paths is None else "|".join(paths)
        revisions = (org.revision, self.data_revision(context)) if org else (0, 0)
        frame = (user.is_staff, context["actions"], get_language())
        # The path and what the page reads of the query, normalized: any other query string
        # is the same page, not a new cache entry.
        page = f"{self.request.path}|{context['period'].label}|{self.query_key()}"
        raw = f"{page}|{revisions}|{scope}|{frame}|{code_fingerprint()}"
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
