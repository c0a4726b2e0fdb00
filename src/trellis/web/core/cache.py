"""The page cache: Django's file cache, shared by every worker process and kept across
restarts, with a cheaper cull.

Django's ``FileBasedCache`` lists every file of the cache on *each* write to decide whether
to cull: with the pages of a thousand units rendered ahead that listing cost 12 ms per
write, more than rendering the page. Here the count is taken once per ``CULL_EVERY`` writes
of a process (default 500), so the cache may exceed ``MAX_ENTRIES`` by at most that many
entries per process before it is culled.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

import trellis


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


@cache
def code_fingerprint() -> str:
    """A digest of Trellis's own files as this process loaded them: part of every page key,
    so pages rendered by an earlier version of the templates or views are never served
    after an upgrade or an edit."""
    return files_fingerprint(Path(trellis.__file__).parent)


def files_fingerprint(root: Path) -> str:
    """A digest of the names, sizes and modification times of the code, template and static
    files under ``root`` (compiled-bytecode folders left out)."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".html", ".css", ".js") and "__pycache__" not in path.parts:
            stat = path.stat()
            digest.update(f"{path.relative_to(root)}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


class _ClientPerPool(RedisCacheClient):
    """Django's Redis cache client, keeping one ``redis.Redis`` object per connection pool:
    Django makes a new one, with its table of response callbacks, for every operation
    (0.3 ms, twice per cached page). They are thread-safe; the pool holds the sockets."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:  # two threads may both make one: either serves
            client = self._client(connection_pool=self._get_connection_pool(write))
            self._clients[index] = client
        return client


class SharedRedisCache(RedisCache):
    """The page cache and session copies in Redis (``TRELLIS_REDIS_URL``), as Django's own
    backend with its clients kept."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _ClientPerPool
