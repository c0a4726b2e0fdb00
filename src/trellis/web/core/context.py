"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def trellis(request: HttpRequest) -> dict[str, Any]:
    """Whether this is the demo installation (its sign-in page says so)."""
    return {"trellis_demo": getattr(settings, "TRELLIS_DEMO", False)}
