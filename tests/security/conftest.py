"""Attacks on the running application as a person restricted to one business unit would
make them: the sample organization, real database, Django's test client."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.web.conftest import (
    _fresh_page_cache,
    admin_client,
    signed_in,
    viewer_client,
)
from trellis.web.core.models import Membership
from trellis.web.scorecards.models import Unit

__all__ = [
    "_fresh_page_cache",
    "admin_client",
    "signed_in",
    "viewer_client",
]

PASSWORD = "Correct-Horse-Battery-9"


def person(name: str, role: str, unit: str) -> Any:
    """A person holding ``role`` on ``unit`` (and its subtree) only."""
    user = get_user_model().objects.create_user(name, password=PASSWORD)
    Membership.objects.create(user=user, unit=Unit.objects.get(code=unit), role=role)
    return user


def client_of(name: str) -> Client:
    """A client signed in as ``name``."""
    client = Client()
    assert client.login(username=name, password=PASSWORD)
    return client


@pytest.fixture
def retail_editor(db: None) -> Client:
    """An editor of the Retail Stores business unit and its subtree, and nothing else."""
    person("retail.editor", "editor", "retail")
    return client_of("retail.editor")


def without_tokens(page: str) -> str:
    """A page without its CSRF tokens (masked anew on every response), for comparing two
    answers."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", page)
