"""The page cache: Django's file cache, shared by every worker process and kept across
restarts, with a cheaper cull.

Django's ``FileBasedCache`` lists every file of the cache on *each* write to decide whether
to cull: with the pages of a thousand units rendered ahead that listing cost 12 ms per
write, more than rendering the page. Here the count is taken once per ``CULL_EVERY`` writes
of a process (default 500), so the cache may exceed ``MAX_ENTRIES`` by at most that many
entries per process before it is culled.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.filebased import FileBasedCache


class PageCache(FileBasedCache):
    """A file cache that culls once per ``CULL_EVERY`` writes, not on every write."""

    def __init__(self, location: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS", {}))
        self.cull_every = max(1, int(options.pop("CULL_EVERY", 500)))
        super().__init__(location, {**params, "OPTIONS": options})
        self.writes = 0

    def _cull(self) -> None:
        self.writes += 1
        if self.writes % self.cull_every == 0:
            super()._cull()
