"""The sample organization loaded once per test session; each test runs in a transaction."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from trellis.cli.web import create_demo_users, load_sample


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Acme with 24 months of data, stored results and the four demo users."""
    with django_db_blocker.unblock():
        load_sample()
        create_demo_users()


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
def _fresh_page_cache() -> None:
    """Each test rolls its database changes back; rendered pages must not outlive them."""
    from django.core.cache import cache

    cache.clear()
