"""Sessions read from the shared cache (Redis, with ``TRELLIS_REDIS_URL``) and kept in the
database as well (``SESSION_ENGINE``): a request reads its session from Redis, and a restart
of Redis, signing out, a password change or ``trellis sessions --revoke`` lose nothing and
leave nothing behind (the database knows whose each session is; ending them removes both)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDatabaseStore
from django.core.cache import caches

from trellis.web.accounts import sessions


class SessionStore(sessions.SessionStore, CachedDatabaseStore):
    """Django's cached database sessions in the ``Session`` table of ``accounts``."""

    @classmethod
    def forget(cls, keys: list[str]) -> None:
        """Remove these ended sessions from the cache too."""
        if keys:
            caches[settings.SESSION_CACHE_ALIAS].delete_many(
                [cls.cache_key_prefix + key for key in keys]
            )
