"""Generic page views every app's pages subclass: the page cache with its declared scope,
breadcrumbs, actions and the permission filter (an object the user may not see is a 404,
never a 403 that leaks it)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from trellis.web.core import health, slots
from trellis.web.core.cache import code_fingerprint
from trellis.web.core.querysets import allowed_paths
from trellis.web.core.roles import Action

CONTENT_SECONDS = 86_400  # keys carry the revisions: a stale body is never served


@dataclass(frozen=True)
class PageScope:
    """Everything a cached page may depend on, declared in one place: two requests with
    equal scopes get the same page, so whatever differs between people must be here.

    - ``page``: the path and what the page reads of the query, normalized;
    - ``period``: the period shown ('' for pages without one);
    - ``revisions``: of the definitions and of the data the page shows;
    - ``sees``: the subtrees the person may see (``all`` for the whole organization);
    - ``frame``: what the page frame shows this person besides the content — the Admin
      link (staff), the page's actions (say, *Edit definition* for an editor) and the data
      pages of the menu (``request.data_menu``: My updates, Import, Approvals);
    - ``language`` and ``code``: the language, and a fingerprint of Trellis's own files.
    """

    page: str
    period: str
    revisions: tuple[int, ...]
    sees: str
    frame: tuple[Any, ...]
    language: str
    code: str

    def key(self) -> str:
        """The page's cache key."""
        return "trellis:page:" + hashlib.sha256(repr(self).encode()).hexdigest()


class TrellisPage(TemplateView):
    """A page with breadcrumbs and actions in its context.

    Pages that set ``content_template`` render their body from it through ``add_content``
    and are kept whole in the page cache under the key of their :class:`PageScope`: people
    who see the same thing share it, and any change of definitions or of the data shown
    makes new keys. Each request puts its own CSRF token, user name and messages into the
    cached page (``slots``), so a cached page costs the queries that find the object and
    its revisions, a cache read and three string replacements.
    """

    template_name = "page.html"
    title = ""
    content_template: str | None = None
    needs_chart = False

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        context = self.get_context_data(**kwargs)
        if self.content_template is None or not self.cacheable(context):
            if self.content_template is not None:
                self.render_content(context)
            return self.render_to_response(context)
        page, _rendered = self.cached_page(context)
        return HttpResponse(slots.fill(page, request))

    def cached_page(self, context: dict[str, Any]) -> tuple[str, bool]:
        """The whole page with its per-request slots, from the cache or rendered into it;
        and whether it was rendered now."""
        key = self.scope(context).key()
        page = cache.get(key)
        if page is not None:
            return page, False
        context.update(slots.placeholders())
        self.render_content(context)
        page = render_to_string(self.template_name, context, request=self.request)
        if self.cacheable(context):  # rendering may find a part missing for now
            cache.set(key, page, CONTENT_SECONDS)
        return page, True

    @classmethod
    def render_ahead(cls, user: Any, path: str, menu: tuple[str, ...] = (), **kwargs: Any) -> bool:
        """Render this page for ``user`` into the page cache before anyone asks for it (no
        view is called and no response made: the page is built as its ``get`` would build
        it, for a request that only says who, which path and ``menu``, the data pages the
        person may use, as ``request.data_menu``). True when it was rendered,
        False when the cache already had it."""
        request = HttpRequest()
        request.method = "GET"
        request.path = request.path_info = path
        request.META = {"SERVER_NAME": "localhost", "SERVER_PORT": "80"}
        request.user = user
        request.data_menu = menu  # type: ignore[attr-defined] # as the middleware sets it
        page = cls()
        page.setup(request, **kwargs)
        context = page.get_context_data(**kwargs)
        return page.cached_page(context)[1]

    def render_content(self, context: dict[str, Any]) -> None:
        """Put the breadcrumbs and the rendered content into the context."""
        assert self.content_template is not None
        context["breadcrumbs"] = self.breadcrumbs(context)
        self.add_content(context)
        context["content"] = render_to_string(self.content_template, context, request=self.request)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["title"] = self.title
        context["actions"] = self.actions()
        if self.content_template is None:
            context["breadcrumbs"] = self.breadcrumbs(context)
        return context

    def cacheable(self, context: dict[str, Any]) -> bool:
        """Whether this rendering may be kept (a page that echoes what was typed is not:
        a cache entry per typo would let anyone fill the cache)."""
        return True

    def scope(self, context: dict[str, Any]) -> PageScope:
        """What this page, as this person sees it, depends on."""
        user = self.request.user
        paths = allowed_paths(user, Action.VIEW)
        return PageScope(
            page=f"{self.request.path}|{self.query_key()}",
            period=self.period_key(context),
            revisions=self.revisions(context),
            sees="all" if paths is None else "|".join(paths),
            frame=(
                user.is_staff,
                tuple(context["actions"]),
                tuple(getattr(self.request, "data_menu", ())),
            ),
            language=get_language(),
            code=code_fingerprint(),
        )

    def actions(self) -> list[tuple[str, str]]:
        """(label, url) of what this user may do with the page's object."""
        return []

    def query_key(self) -> str:
        """What the page reads of the query string, normalized (a page that reads some
        overrides this): any other query string is the same page."""
        return ""

    def period_key(self, context: dict[str, Any]) -> str:
        """The period the page shows ('' when it shows none)."""
        return ""

    def revisions(self, context: dict[str, Any]) -> tuple[int, ...]:
        """The revisions of what the page shows (definitions, data)."""
        return ()

    def add_content(self, context: dict[str, Any]) -> None:
        """Put what the content template needs into the context (only on a cache miss)."""

    def breadcrumbs(self, context: dict[str, Any]) -> list[tuple[str, str]]:
        """(label, url) pairs from the organization down to this page."""
        return []


class ObjectPage(TrellisPage):
    """A page about one object found by its code among the objects the user may see (with
    the permission ``action``)."""

    model: type[models.Model]
    action: str = Action.VIEW
    context_object_name = "object"
    related: tuple[str, ...] = ()

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


class PlainPage(TemplateView):
    """A page that is not cached (forms, lists of one's own things): a title and the
    organization in the header."""

    title: str | Promise = ""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("title", self.title)
        return context


class MenuPage(PlainPage):
    """A data page of the menu (``menu_name``: its URL name): refused (403) to people whose
    menu does not offer it — a viewer gets no upload form, no entry grid."""

    menu_name = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.menu_name not in getattr(request, "data_menu", ()):
            raise PermissionDenied(_("You may not use this page."))
        return super().dispatch(request, *args, **kwargs)


def administers_all(user: Any) -> bool:
    """Whether ``user`` administers the whole organization: an administrator role on the
    root unit (its path has one segment) or a superuser."""
    paths = allowed_paths(user, Action.ADMINISTER)
    return paths is None or any(p.count("/") == 2 for p in paths)


class AdministratorsPage(PlainPage):
    """A page for administrators of the whole organization; 404 for everyone else (its
    existence is not told)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated or not administers_all(request.user):
            raise Http404("no such page")
        return super().dispatch(request, *args, **kwargs)


@login_not_required
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """``/healthz``: 200 when the database, cache, queue and (if one is needed) a worker
    answer, else 503; for load balancers and monitoring, without a session, showing no
    data of the organization."""
    checks = health.report()
    ok = all(c.ok for c in checks.values())
    return JsonResponse(
        {
            "status": "ok" if ok else "failing",
            "checks": {name: {"ok": c.ok, "ms": c.ms, **c.facts} for name, c in checks.items()},
        },
        status=200 if ok else 503,
    )
