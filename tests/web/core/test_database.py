"""The suite runs on the database it was asked to run on (CI runs it on both)."""

from __future__ import annotations

import os

import pytest
from django.db import connection


@pytest.mark.django_db
def test_the_configured_database_is_the_one_in_use() -> None:
    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    assert connection.vendor == expected
    if os.environ.get("TRELLIS_REQUIRE_POSTGRES") == "1":
        assert connection.vendor == "postgresql", "CI's second run must use PostgreSQL"
