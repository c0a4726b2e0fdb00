"""Error pages in the site's frame, telling nothing about what is hidden."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.test.utils import override_settings

from tests.web.conftest import signed_in


def test_a_hidden_unit_and_an_unknown_one_get_the_very_same_page(db: None) -> None:
    viewer = signed_in("viewer")  # sees Retail only
    hidden, unknown = viewer.get("/units/online/"), viewer.get("/units/no_such_unit/")
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.content == unknown.content  # byte for byte
    page = hidden.content.decode()
    assert "<h1>Page not found</h1>" in page
    assert 'class="top"' in page and "trellis.css" in page  # the site's frame
    assert "Online" not in page


def test_not_allowed_is_a_page_of_its_own(viewer_client: Client) -> None:
    response = viewer_client.get("/data/approvals/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "<h1>Not allowed</h1>" in page and 'class="top"' in page


@override_settings(DEBUG=False)
def test_a_server_error_page_shows_no_details(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from trellis.web.results.views import organization

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret detail 4711")

    monkeypatch.setattr(organization.HomePage, "get", broken)
    client = signed_in("admin")
    client.raise_request_exception = False
    response = client.get("/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "<h1>Something went wrong</h1>" in page
    assert "4711" not in page and not re.search(r"Traceback|RuntimeError", page)
