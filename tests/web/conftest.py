"""Clients of the demo users; each test runs in a transaction (the sample organization is
loaded once per test session: ``django_db_setup`` in the top conftest)."""

from __future__ import annotations

import pytest
from django.test import Client


def signed_in(name: str) -> Client:
    """A client signed in as a demo user."""
    client = Client()
    assert client.login(username=name, password="demo")
    return client


def definition_text(client: Client, code: str) -> str:
    """The definition of a measure as its edit form shows it, unescaped."""
    page = client.get(f"/measures/{code}/edit/").content.decode()
    start = page.index('spellcheck="false">') + len('spellcheck="false">')
    return page[start : page.index("</textarea>")].replace("&#x27;", "'").replace("&quot;", '"')


@pytest.fixture
def admin_client(db: None) -> Client:
    return signed_in("admin")


@pytest.fixture
def viewer_client(db: None) -> Client:
    """A viewer of the Retail Stores business unit and its subtree."""
    return signed_in("viewer")


@pytest.fixture(autouse=True)
def _fresh_page_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test rolls its database changes back, revision numbers included: neither the
    rendered pages nor this process's evaluated scorecard may outlive them (the next test
    would reach the same revision numbers with other definitions)."""
    from django.core.cache import cache

    from trellis.web.results.services import evaluation

    cache.clear()
    monkeypatch.setattr(evaluation, "_engine", None)
