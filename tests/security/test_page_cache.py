"""The page cache cannot be filled from outside: keys hold only what a page reads."""

from __future__ import annotations

import re
import secrets

import pytest
from django.core.cache import cache
from django.test import Client

from tests.security.conftest import client_of, person, without_tokens
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


PAGE_TYPES = [
    "/",
    "/units/retail/",
    "/units/retail/map/",
    "/objectives/RET_F1/",
    "/objectives/RET_F1/cascade/",
    "/measures/REV_RETAIL/",
    "/exceptions/",
    "/findings/",
]


def _shown(client: Client, url: str) -> str:
    """The page as its reader sees it, without what each request puts in (the CSRF token
    and the reader's name)."""
    response = client.get(url)
    assert response.status_code == 200, url
    page = without_tokens(response.content.decode())
    return re.sub(r'<form class="signout".*?</form>', "", page, flags=re.S)


def test_people_with_the_same_permissions_share_pages_and_others_do_not() -> None:
    person("retail.editor", "editor", "retail")
    person("online.viewer", "viewer", "online")
    person("retail.viewer", "viewer", "retail")
    viewer, updater = signed_in("viewer"), signed_in("updater")  # both of Retail
    other_viewer = client_of("retail.viewer")
    editor, elsewhere = client_of("retail.editor"), client_of("online.viewer")
    admin = signed_in("admin")
    for url in PAGE_TYPES:
        seen = _shown(viewer, url)
        entries = _entries()
        # Same subtree, same rights: the same page, from the same cache entry.
        assert _shown(other_viewer, url) == seen, url
        assert _entries() == entries, url
        # The updater of the same subtree: the same content, and the data pages in the menu.
        entered = _shown(updater, url)
        assert entered != seen and ">My updates</a>" in entered, url
        assert ">My updates</a>" not in seen, url
        assert _without_menu(entered) == _without_menu(seen), url
        # The editor of Retail (who may enter data too) sees what the updater sees unless
        # the page offers an action on it.
        edited = _shown(editor, url)
        assert (edited == entered) == ("/measures/" not in url), url
        # The administrator sees everything, and the Admin link.
        assert _shown(admin, url) != seen, url
    assert 'href="/measures/REV_RETAIL/edit/">Edit definition' in _shown(editor, PAGE_TYPES[5])
    assert "Edit definition" not in _shown(viewer, PAGE_TYPES[5])
    # Another subtree: other pages, and nothing of Retail in them.
    for url in ("/", "/exceptions/", "/findings/"):
        theirs = _shown(elsewhere, url)
        assert theirs != _shown(viewer, url), url
        assert "Retail" not in theirs and "REV_RETAIL" not in theirs, url
    assert elsewhere.get("/units/retail/").status_code == 404


def _without_menu(page: str) -> str:
    """A page without the data pages of its menu (and with its blanks evened out)."""
    page = re.sub(r'<a href="/data/(updates|imports|approvals)/">[^<]*</a>', "", page)
    return " ".join(page.split())
