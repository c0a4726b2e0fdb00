"""``TRELLIS_HTTPS=1`` turns on what an HTTPS deployment needs, and nothing else does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.test.utils import override_settings

from tests.security.conftest import PASSWORD, person

NAMES = (
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_PROXY_SSL_HEADER",
)


def _settings(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{n: getattr(settings, n) for n in {NAMES!r}}}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TRELLIS_")}
    return subprocess.run(
        [sys.executable, "-c", code],
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "trellis.web.settings",
            "TRELLIS_DATA_DIR": str(tmp_path),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_https_settings_are_off_by_default_and_on_with_one_setting(tmp_path: Path) -> None:
    plain = _settings(tmp_path)
    assert plain.returncode == 0, plain.stderr
    assert json.loads(plain.stdout) == {
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_PROXY_SSL_HEADER": None,
    }
    https = _settings(tmp_path, TRELLIS_HTTPS="1")
    assert https.returncode == 0, https.stderr
    assert json.loads(https.stdout) == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
    }
    wrong = _settings(tmp_path, TRELLIS_HTTPS="yes")
    assert wrong.returncode != 0
    assert "TRELLIS_HTTPS must be 1 or 0, not 'yes'" in wrong.stderr


@pytest.mark.django_db
@override_settings(
    SESSION_COOKIE_SECURE=True,
    CSRF_COOKIE_SECURE=True,
    SECURE_HSTS_SECONDS=31_536_000,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
)
def test_behind_an_https_proxy_cookies_are_secure_and_hsts_is_sent() -> None:
    person("mona", "viewer", "retail")
    client = Client(headers={"X-Forwarded-Proto": "https"})
    response = client.post("/login/", {"username": "mona", "password": PASSWORD})
    assert response.status_code == 302
    assert response.cookies["sessionid"]["secure"] is True
    assert response["Strict-Transport-Security"] == "max-age=31536000"
