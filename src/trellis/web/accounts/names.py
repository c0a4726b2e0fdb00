"""People's sign-in names: one canonical form, so that ``admin``, ``" admin"``,
``"ADMIN\\t"`` and the full-width ``ａｄｍｉｎ`` are one name everywhere (sign-in, its
throttle, creation)."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.contrib.auth import get_user_model


def canonical(name: str) -> str:
    """The name in Unicode compatibility form (NFKC), without surrounding white space,
    case-folded."""
    return unicodedata.normalize("NFKC", name).strip().casefold()


def person_named(name: str) -> Any:
    """The person whose name has the same canonical form as ``name``, or None."""
    wanted = canonical(name)
    if not wanted:
        return None
    near = get_user_model().objects.filter(
        username__iexact=unicodedata.normalize("NFKC", name).strip()
    )
    found = [u for u in near if canonical(u.username) == wanted]
    return found[0] if len(found) == 1 else None
