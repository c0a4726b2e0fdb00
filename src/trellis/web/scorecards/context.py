"""Template context of every page: the organization, shown in the header to people who
have signed in."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from trellis.web.scorecards.models import Organization


def organization(request: HttpRequest) -> dict[str, Any]:
    """The installation's organization (read once per request), for signed-in people."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {"organization": Organization.current()}
