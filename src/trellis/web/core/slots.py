"""The per-request parts of a page kept whole in the page cache.

A cached page is rendered once with a marker where each person's own bits go — the CSRF
token of their forms, their user name and the messages waiting for them — and each request
puts its own in. The markers carry a secret derived from the installation's key, so text
that people type cannot contain one.
"""

from __future__ import annotations

from functools import cache

from django.contrib.messages import get_messages
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.crypto import salted_hmac
from django.utils.html import escape


@cache
def markers() -> dict[str, str]:
    """The markers a cached page holds, by slot (``csrf``, ``user``, ``messages``)."""
    secret = salted_hmac("trellis.web.core.slots", "page slots").hexdigest()[:24]
    return {name: f"trellis-slot-{secret}-{name}" for name in ("csrf", "user", "messages")}


def placeholders() -> dict[str, object]:
    """Template context that renders markers in place of the per-request parts."""
    mark = markers()
    return {"csrf_token": mark["csrf"], "slots": mark}


def fill(page: str, request: HttpRequest) -> str:
    """The cached ``page`` with this request's token, user name and messages put in."""
    mark = markers()
    waiting = get_messages(request)
    notes = render_to_string("messages.html", {"messages": waiting}) if waiting else ""
    return (
        page.replace(mark["csrf"], get_token(request))
        .replace(mark["user"], escape(request.user.get_username()))
        .replace(mark["messages"], notes)
    )
