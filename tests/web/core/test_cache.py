"""The page cache culls once per CULL_EVERY writes, keeping at most MAX_ENTRIES then; its
keys follow the code that rendered the pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from trellis.web.core.cache import PageCache, files_fingerprint


def test_the_cache_culls_once_per_cull_every_writes(tmp_path: Path) -> None:
    cache = PageCache(
        str(tmp_path),
        {"OPTIONS": {"MAX_ENTRIES": 4, "CULL_FREQUENCY": 2, "CULL_EVERY": 6}},
    )
    files = lambda: len(list(tmp_path.glob("*.djcache")))  # noqa: E731
    for i in range(5):
        cache.set(f"page{i}", "x" * 10)
    assert files() == 5  # over MAX_ENTRIES: no cull yet (5 writes)
    cache.set("page5", "x")  # the 6th write counts the files first: 5 ≥ 4, half go
    assert files() == 4  # 5 - int(5 / 2) = 3 left, then page5 is written
    assert cache.get("page5") == "x"


def test_the_fingerprint_follows_code_and_templates_only(tmp_path: Path) -> None:
    (tmp_path / "views.py").write_text("x = 1\n")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text("<p>a</p>")
    first = files_fingerprint(tmp_path)
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "views.py").write_text("compiled")
    (tmp_path / "notes.txt").write_text("not code")
    assert files_fingerprint(tmp_path) == first
    (tmp_path / "templates" / "page.html").write_text("<p>ab</p>")
    assert files_fingerprint(tmp_path) != first


@pytest.mark.django_db
def test_pages_rendered_by_other_code_are_not_served(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.web.conftest import signed_in
    from trellis.web.core import views

    client = signed_in("admin")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/units/retail/").status_code == 200
        return len(captured.captured_queries)

    rendered = queries()
    cached = queries()
    assert cached < rendered
    monkeypatch.setattr(views, "code_fingerprint", lambda: "an upgrade")
    assert queries() > cached  # rendered again with the new code
