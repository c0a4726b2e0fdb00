"""A page kept whole in the cache still carries each request's own token, name and messages."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.web.conftest import definition_text, signed_in

pytestmark = pytest.mark.django_db

URL = "/units/retail/"


def _get(client: Client, url: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(captured.captured_queries)


def _chief() -> Client:
    get_user_model().objects.create_superuser("chief", "chief@example.org", "x")
    client = Client(enforce_csrf_checks=True)
    client.force_login(get_user_model().objects.get(username="chief"))
    return client


def test_two_people_share_a_cached_page_each_with_their_name_and_token() -> None:
    admin, chief = signed_in("admin"), _chief()
    first, rendered = _get(admin, URL)
    page, cached = _get(chief, URL)
    assert cached < rendered  # the same page, from the cache
    assert "<span>admin</span>" in first and "<span>chief</span>" in page
    assert "<span>admin</span>" not in page and "trellis-slot-" not in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    signed_out = chief.post("/logout/", {"csrfmiddlewaretoken": token.group(1)})
    assert (signed_out.status_code, signed_out["Location"]) == (302, "/login/")


def test_a_forged_token_still_fails_on_a_cached_page() -> None:
    admin, chief = signed_in("admin"), _chief()
    _get(admin, URL)
    assert chief.post("/logout/", {"csrfmiddlewaretoken": "x" * 64}).status_code == 403


def test_messages_are_shown_to_their_person_only(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    editor, other = signed_in("editor"), signed_in("admin")
    url = "/measures/SALES_OSLO/"
    changed = definition_text(editor, "SALES_OSLO").replace(
        "Oslo Street sales", "Oslo Street net sales"
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert editor.post(url + "edit/", {"definition": changed}).status_code == 302
    note = "Definition of SALES_OSLO saved."
    assert note in _get(editor, url)[0]
    page, _ = _get(other, url)
    assert note not in page and "Oslo Street net sales" in page
    assert note not in _get(editor, url)[0]  # shown once
