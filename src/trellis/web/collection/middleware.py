"""The data pages each person may use, known to every page of the request (the menu)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from trellis.web.scorecards.services.rights import data_menu


class DataMenuMiddleware:
    """Sets ``request.data_menu``: the URL names of the data pages the signed-in person may
    use (found on first use: two indexed queries)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.data_menu = SimpleLazyObject(lambda: data_menu(request.user))  # type: ignore[attr-defined]
        return self.get_response(request)
