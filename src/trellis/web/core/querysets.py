"""The one permission filter every queryset shown to a user goes through."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.db.models import Q

from trellis.web.core.memberships import Membership
from trellis.web.core.roles import ALLOWED, Action

M = TypeVar("M", bound=models.Model)


def allowed_paths(user: Any, action: str) -> list[str] | None:
    """Unit paths (subtree prefixes) on which ``user`` may do ``action``; None means all."""
    if not getattr(user, "is_authenticated", False):
        return []
    if user.is_superuser:
        return None
    cache = getattr(user, "_trellis_paths", None)
    if cache is None:
        cache = {}
        user._trellis_paths = cache
    if action not in cache:
        cache[action] = sorted(
            Membership.objects.filter(user=user, role__in=ALLOWED[action]).values_list(
                "unit__path", flat=True
            )
        )
    paths: list[str] = cache[action]
    return paths


class RestrictedQuerySet(models.QuerySet[M]):
    """A queryset that can be narrowed to what a user may see or do.

    Models name the field holding their unit's path in ``unit_path_field`` and, in
    ``person_fields``, the fields naming people (by user name) who may do an action on a row
    whatever their roles: a measure's owner enters its data, its steward approves it.
    """

    def restrict(self, user: Any, action: str = Action.VIEW) -> RestrictedQuerySet[M]:
        """Only the rows in the subtrees where ``user`` holds a role allowing ``action``."""
        paths = allowed_paths(user, action)
        if paths is None:
            return self
        field = self.model.unit_path_field  # type: ignore[attr-defined]
        condition = Q()
        for path in paths:
            condition |= Q(**{f"{field}__startswith": path})
        people = getattr(self.model, "person_fields", {}).get(action, ())
        if people and getattr(user, "is_authenticated", False):
            for name in people:
                condition |= Q(**{name: user.get_username()})
        if not condition:
            return self.none()
        return self.filter(condition)
