"""The page cache culls once per CULL_EVERY writes, keeping at most MAX_ENTRIES then."""

from __future__ import annotations

from pathlib import Path

from trellis.web.core.cache import PageCache


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
