"""Attacks on a real server (``trellis serve``: uvicorn, SQLite) from the loopback address,
where a proxy would be: forged proxy headers, and what may be kept by caches."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest


def _lower(headers: object) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}  # type: ignore[attr-defined]


def _not_kept(headers: dict[str, str]) -> bool:
    control = {part.strip() for part in headers.get("cache-control", "").split(",")}
    return {"private", "no-store"} <= control


class Browser:
    """A client with its own cookies that does not follow redirects."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()

        class Stay(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: object, **kwargs: object) -> None:
                return None

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), Stay()
        )

    def request(
        self, path: str, form: dict[str, str] | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], str]:
        data = None if form is None else urllib.parse.urlencode(form).encode()
        wanted = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        try:
            with self.opener.open(wanted, timeout=30) as response:
                return response.status, _lower(response.headers), response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, _lower(exc.headers), exc.read().decode()

    def sign_in(self, name: str, password: str, headers: dict[str, str] | None = None) -> int:
        _status, _headers, page = self.request("/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token is not None
        form = {"csrfmiddlewaretoken": token.group(1), "username": name, "password": password}
        extra = {"Referer": self.base + "/login/", **(headers or {})}
        status, _headers, _page = self.request("/login/", form, extra)
        return status


def test_forged_forwarded_for_headers_do_not_reset_the_throttle(server: str) -> None:
    client = Browser(server)
    statuses = [
        client.sign_in("updater", "wrong", {"X-Forwarded-For": f"203.0.113.{i}"})
        for i in range(1, 7)
    ]
    assert statuses == [200, 200, 200, 200, 200, 429]
    # the right password, from yet another forged address, is refused too
    assert client.sign_in("updater", "demo", {"X-Forwarded-For": "198.51.100.7"}) == 429


@pytest.mark.parametrize(("path", "signed_in"), [("/login/", False), ("/", True)])
def test_pages_are_not_kept_by_caches(server: str, path: str, signed_in: bool) -> None:
    client = Browser(server)
    if signed_in:
        assert client.sign_in("viewer", "demo") == 302
    status, headers, _page = client.request(path)
    assert status == 200
    assert _not_kept(headers)
    assert "server" not in headers


def test_exports_are_not_kept_by_caches_but_static_files_are(server: str) -> None:
    client = Browser(server)
    assert client.sign_in("viewer", "demo") == 302
    status, headers, _body = client.request("/data/export/?format=csv")
    assert status == 200
    assert headers["cache-control"] == "private, no-store"
    status, headers, _body = client.request("/static/trellis/trellis.css")
    assert status == 200
    assert not _not_kept(headers)
