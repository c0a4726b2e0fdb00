"""The page cache cannot be filled from outside: keys hold only what a page reads."""

from __future__ import annotations

import secrets

import pytest
from django.core.cache import cache

from tests.web.conftest import signed_in

pytestmark = pytest.mark.django_db


def _entries() -> int:
    return len(cache._list_cache_files())  # type: ignore[attr-defined]


def test_random_query_strings_do_not_make_new_pages() -> None:
    client = signed_in("viewer")
    assert client.get("/units/retail/").status_code == 200
    before = _entries()
    for _ in range(200):
        response = client.get(f"/units/retail/?{secrets.token_hex(8)}={secrets.token_hex(8)}")
        assert response.status_code == 200
    assert _entries() == before


def test_what_a_page_reads_is_normalized_in_its_key() -> None:
    client = signed_in("viewer")
    client.get("/?levels=3")
    before = _entries()
    for query in ("", "?levels=03", "?levels=abc", "?levels=3&utm=x", "?levels=+3"):
        assert client.get(f"/{query}").status_code == 200
    assert _entries() == before
    client.get("/?levels=2")
    assert _entries() == before + 1


def test_a_mistyped_period_is_answered_but_not_cached() -> None:
    client = signed_in("viewer")
    client.get("/units/retail/")
    before = _entries()
    for typo in ("2026-13", "<b>x</b>", secrets.token_hex(4)):
        response = client.get(f"/units/retail/?period={typo}")
        assert response.status_code == 200
        assert "is not a period; showing" in response.content.decode()
    assert "&lt;b&gt;x&lt;/b&gt;" in client.get("/units/retail/?period=<b>x</b>").content.decode()
    assert _entries() == before
