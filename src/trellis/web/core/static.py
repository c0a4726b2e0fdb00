"""Static files (styles, scripts, Plotly from its installed package) collected into the data
folder under names that carry a hash of their content, each with a gzip-compressed copy:
WhiteNoise serves those compressed, with a year's cache lifetime (a new version has new
names). Collected by the commands that prepare an installation (``migrate`` and those that
run it: demo, serve, worker, imports…), once per version of Trellis and its packages."""

from __future__ import annotations

import fcntl
import hashlib
from importlib import metadata
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from whitenoise.storage import CompressedManifestStaticFilesStorage

from trellis.web.core.cache import code_fingerprint


class HashedWhenCollected(CompressedManifestStaticFilesStorage):
    """The hashed name of a collected file; before the first collection (tests, a command
    run before any server started) or for a file the manifest lacks, its plain name, which
    WhiteNoise serves from the installed packages."""

    manifest_strict = False

    def stored_name(self, name: str) -> str:
        if self.hashed_files.get(self.hash_key(self.clean_name(name))) is None:
            return name
        return str(super().stored_name(name))


STAMP = "collected-for"
"""The file in the static folder naming the versions its files were collected for."""


def versions() -> str:
    """What the collected files depend on: Trellis's own files and the packages that
    ship static files."""
    packages = ("django", "plotly", "django-htmx", "whitenoise", "django-rq")
    named = "|".join(f"{p}={_version(p)}" for p in packages)
    return hashlib.sha256(f"{code_fingerprint()}|{named}".encode()).hexdigest()[:16]


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "-"


def collect() -> bool:
    """Collect the static files unless they were collected for these versions already;
    True when they were collected now. Several processes starting together take turns
    (a lock file), and the later ones find the work done."""
    root = Path(settings.STATIC_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    wanted = versions()
    stamp = root / STAMP
    with (root / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stamp.is_file() and stamp.read_text(encoding="utf-8") == wanted:
            return False
        call_command("collectstatic", interactive=False, verbosity=0, clear=True)
        stamp.write_text(wanted, encoding="utf-8")
    return True
