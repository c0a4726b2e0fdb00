"""Django settings for the Trellis web application.

Configuration comes from the environment:

- ``TRELLIS_DATA_DIR``: folder for the SQLite database and the generated secret key
  (default ``./trellis-data``);
- ``DATABASE_URL``: a database URL (``postgres://user@host/db``); SQLite in the data folder
  when unset;
- ``TRELLIS_SECRET_KEY``: the secret key; otherwise one is generated into the data folder;
- ``TRELLIS_DEBUG``: ``1`` for debug mode (never in production; off by default);
- ``TRELLIS_ALLOWED_HOSTS``: comma-separated host names (default: localhost names);
- ``TRELLIS_REDIS_URL``: a Redis server (``redis://127.0.0.1:6379/0``) shared by every
  process: the page cache and sessions live there, and background work is queued there for
  ``trellis worker`` (RQ); unset, the cache is a folder and sessions the database's;
- ``TRELLIS_TASK_BACKEND``: ``immediate`` (default without Redis: recomputation runs in the
  request), ``database`` (queued in the database for ``trellis worker``) or ``rq`` (queued
  in Redis; the default with ``TRELLIS_REDIS_URL``);
- ``TRELLIS_EVALUATION``: ``worker`` (the default with the rq backend: only ``trellis
  worker`` holds the evaluated scorecard; web processes ask it through Redis for
  explanations, charts and data checks) or ``process`` (every process evaluates for itself);
- ``TRELLIS_WARM_PAGES``: ``changed`` (default), ``all`` or ``off``: which unit scorecards
  and strategy maps are rendered ahead after results change;
- ``TRELLIS_WARM_MEASURES``: ``1`` to render the measure pages of those units ahead too
  (default: on when a worker runs the tasks, ``TRELLIS_TASK_BACKEND=database``);
- ``TRELLIS_WEB_THREADS``: request threads per server process (default 4; ``trellis serve
  --threads``);
- ``TRELLIS_HTTPS``: ``1`` behind an HTTPS proxy (secure cookies, HSTS, the proxy's SSL
  header); ``TRELLIS_TRUSTED_PROXIES``: addresses whose ``X-Forwarded-*`` are believed;
- ``TRELLIS_MAX_ABS_VALUE``, ``TRELLIS_UPLOAD_MINUTES``, ``TRELLIS_PENDING_UPLOADS``,
  ``TRELLIS_PAGE_CACHE_ENTRIES``: limits on values, previews and the page cache (docs/web.md,
  Security).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
import plotly
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("TRELLIS_DATA_DIR", "trellis-data")).resolve()


def _secret_key() -> str:
    explicit = os.environ.get("TRELLIS_SECRET_KEY")
    if explicit:
        return explicit
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("TRELLIS_DEBUG", "") == "1"
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("TRELLIS_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver").split(
        ","
    )
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "django_tasks_rq",
    "trellis.web.core",
    "trellis.web.accounts",
    "trellis.web.scorecards",
    "trellis.web.observations",
    "trellis.web.results",
    "trellis.web.collection",
    "trellis.web.connectors",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "trellis.web.core.logs.RequestLogMiddleware",  # after static files: pages only
    "trellis.web.core.memo.RequestMemoMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "trellis.web.collection.middleware.DataMenuMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "trellis.web.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "trellis.web.urls"
ASGI_APPLICATION = "trellis.web.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "trellis.web.core.context.trellis",
                "trellis.web.scorecards.context.organization",
            ],
        },
    },
]


def _whole_number(name: str, default: int, minimum: int) -> int:
    """A whole-number setting from the environment, refused with its name when it is not
    one or is below ``minimum``."""
    raw = os.environ.get(name, str(default)).strip()
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def _positive_number(name: str, default: float) -> float:
    """A positive number setting from the environment (``1e15``, ``250000``), refused with
    its name when it is not one."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}") from None
    if not (0 < value < float("inf")):
        raise ImproperlyConfigured(f"{name} must be a positive number, not {raw!r}")
    return value


def _flag(name: str, default: bool = False) -> bool:
    """An on/off setting from the environment: ``1`` or ``0`` (unset: ``default``)."""
    raw = os.environ.get(name, "").strip()
    if raw not in ("0", "1", ""):
        raise ImproperlyConfigured(f"{name} must be 1 or 0, not {raw!r}")
    return default if raw == "" else raw == "1"


def _databases() -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL")
    if url:
        config: dict[str, Any] = dict(dj_database_url.parse(url))
        # Each request thread of the server (a fixed pool, TRELLIS_WEB_THREADS) keeps its
        # connection; a broken one is noticed before the request uses it.
        config["CONN_MAX_AGE"] = 600
        config["CONN_HEALTH_CHECKS"] = True
        return {"default": config}
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "trellis.sqlite3",
            "OPTIONS": {
                # WAL lets readers and one writer work at the same time; it is a property of
                # the database file, so setting it again on every connection is cheap.
                # A 64 MB page cache (allocated as used) keeps the indexes of a large import
                # in memory.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # Each request thread of the server (a fixed pool) keeps its connection.
            "CONN_MAX_AGE": 600,
        }
    }


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# People sign in by the canonical form of their name (any case, no surrounding spaces).
AUTHENTICATION_BACKENDS = ["trellis.web.accounts.backends.CanonicalNameBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
LOGIN_FAILURES_ALLOWED = _whole_number("TRELLIS_LOGIN_FAILURES_ALLOWED", 5, 1)
LOGIN_LOCKOUT_SECONDS = _whole_number("TRELLIS_LOGIN_LOCKOUT_SECONDS", 300, 1)
# Addresses of reverse proxies whose X-Forwarded-For / X-Forwarded-Proto headers are
# believed (none by default: the client address is the connection's).
TRELLIS_TRUSTED_PROXIES = [
    a.strip() for a in os.environ.get("TRELLIS_TRUSTED_PROXIES", "").split(",") if a.strip()
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing folder
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Collected when a server starts (trellis.web.core.static): names with a hash of the
    # content and gzip copies, which WhiteNoise serves with a year's cache lifetime.
    "staticfiles": {"BACKEND": "trellis.web.core.static.HashedWhenCollected"},
}
STATICFILES_DIRS = [("plotly", Path(plotly.__file__).parent / "package_data")]
WHITENOISE_USE_FINDERS = True  # the plain names, before the first collection

# Sessions live on the server (one row per session, with its person): signing out, a new
# password, deactivation and `trellis sessions --revoke` end them.
SESSION_ENGINE = "trellis.web.accounts.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Behind an HTTPS reverse proxy: cookies only over HTTPS, browsers told to use nothing else
# for a year (HSTS), and the proxy's X-Forwarded-Proto believed for request.is_secure().
# The proxy must set that header itself (dropping any from the client) and redirect HTTP.
TRELLIS_HTTPS = _flag("TRELLIS_HTTPS")
if TRELLIS_HTTPS:
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

REDIS_URL = os.environ.get("TRELLIS_REDIS_URL", "").strip()
if REDIS_URL:
    # One Redis for every process of the installation: pages rendered by one serve all,
    # sessions are read from it (and kept in the database too, so that revoking them and
    # a restart of Redis lose nothing), background work is queued in it.
    CACHES = {
        "default": {
            "BACKEND": "trellis.web.core.cache.SharedRedisCache",
            "LOCATION": REDIS_URL,
            "TIMEOUT": 600,
            "KEY_PREFIX": "trellis",
        },
    }
    SESSION_ENGINE = "trellis.web.accounts.cached_sessions"
else:
    CACHES = {
        # Shared by every process of the installation on this machine and kept across
        # restarts: a page body rendered by one process serves all of them (keys carry the
        # data revisions).
        "default": {
            "BACKEND": "trellis.web.core.cache.PageCache",  # a file cache that culls rarely
            "LOCATION": DATA_DIR / "cache",
            "TIMEOUT": 600,
            # At most this many pages (plus CULL_EVERY per process between two culls).
            "OPTIONS": {"MAX_ENTRIES": _whole_number("TRELLIS_PAGE_CACHE_ENTRIES", 50_000, 100)},
        },
    }

TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
}
TASK_BACKEND = os.environ.get("TRELLIS_TASK_BACKEND", "rq" if REDIS_URL else "immediate")
if TASK_BACKEND not in TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"TRELLIS_TASK_BACKEND must be immediate, database or rq, not {TASK_BACKEND!r}"
    )
if TASK_BACKEND == "rq" and not REDIS_URL:
    raise ImproperlyConfigured("TRELLIS_TASK_BACKEND=rq needs TRELLIS_REDIS_URL")
TASKS_IN_WORKER = TASK_BACKEND != "immediate"
TASKS = {"default": {"BACKEND": TASK_BACKENDS[TASK_BACKEND], "QUEUES": ["default"]}}
TRELLIS_EVALUATION = os.environ.get(
    "TRELLIS_EVALUATION", "worker" if TASK_BACKEND == "rq" else "process"
)
if TRELLIS_EVALUATION not in ("worker", "process"):
    raise ImproperlyConfigured(
        f"TRELLIS_EVALUATION must be worker or process, not {TRELLIS_EVALUATION!r}"
    )
if TRELLIS_EVALUATION == "worker" and TASK_BACKEND != "rq":
    raise ImproperlyConfigured(
        "TRELLIS_EVALUATION=worker needs the rq task backend (TRELLIS_REDIS_URL): the web "
        "processes reach the worker through Redis"
    )
# django-rq's queues (used by the rq backend): jobs may run for an hour (a full
# recomputation of a very large organization).
RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 3600}}

SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False
TRELLIS_DEMO = (DATA_DIR / "demo").exists()
"""A demo installation (made by ``trellis demo``) says so on its sign-in page."""

# Render unit scorecards and strategy maps ahead after results change: "changed" (the units
# an incremental refresh touched), "all" (also after full recomputations; with a worker) or
# "off".
TRELLIS_WARM_PAGES = os.environ.get("TRELLIS_WARM_PAGES", "changed")
if TRELLIS_WARM_PAGES not in ("off", "changed", "all"):
    raise ImproperlyConfigured(
        f"TRELLIS_WARM_PAGES must be off, changed or all, not {TRELLIS_WARM_PAGES!r}"
    )
# Measure pages rendered ahead take about 10 ms each (a few hundred per changed unit tree):
# worth it where a worker does it, not inside the request that saved the data.
TRELLIS_WARM_MEASURES = (
    os.environ.get("TRELLIS_WARM_MEASURES", "1" if TASKS_IN_WORKER else "0") == "1"
)

TRELLIS_WEB_THREADS = _whole_number("TRELLIS_WEB_THREADS", 4, 1)
SILENCED_SYSTEM_CHECKS: list[str] = []

# One line per event on standard error, with the request id and the person's id
# (trellis.web.core.logs); TRELLIS_LOG_REQUESTS=0 leaves out the line of each request.
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s request=%(request_id)s user=%(user)s %(message)s"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "trellis.web.core.logs.RequestContext"}},
    "formatters": {"line": {"()": "trellis.web.core.logs.OneLineFormatter", "format": LOG_FORMAT}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request"],
            "formatter": "line",
        }
    },
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "trellis": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "trellis.request": {
            "handlers": ["console"],
            "level": "INFO" if _flag("TRELLIS_LOG_REQUESTS", True) else "WARNING",
            "propagate": False,
        },
        "rq.worker": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# Data collection: uploads above this size are refused before they are read; reminders go
# through Django's e-mail backend (files in the data folder unless configured otherwise).
TRELLIS_MAX_UPLOAD_BYTES = _whole_number("TRELLIS_MAX_UPLOAD_MB", 100, 1) * 1024 * 1024
# With a worker, files of at least this size are imported by it rather than in the request.
TRELLIS_WORKER_IMPORT_BYTES = _whole_number("TRELLIS_WORKER_IMPORT_KB", 1024, 0) * 1024
# Every value written (form, import, connector, API) lies within ±this.
TRELLIS_MAX_ABS_VALUE = _positive_number("TRELLIS_MAX_ABS_VALUE", 1e15)
# A previewed upload waits this long for its import, and a person has at most this many.
TRELLIS_UPLOAD_MINUTES = _whole_number("TRELLIS_UPLOAD_MINUTES", 60, 1)
TRELLIS_PENDING_UPLOADS = _whole_number("TRELLIS_PENDING_UPLOADS", 3, 1)
EMAIL_BACKEND = os.environ.get(
    "TRELLIS_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = DATA_DIR / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("TRELLIS_FROM_EMAIL", "trellis@localhost")
