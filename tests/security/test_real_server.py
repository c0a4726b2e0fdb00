"""Attacks on a real server (``trellis serve``: uvicorn, SQLite) from the loopback address,
where a proxy would be: forged proxy headers, and what may be kept by caches."""

from __future__ import annotations

import pytest

from tests.real_client import Browser


def _not_kept(headers: dict[str, str]) -> bool:
    control = {part.strip() for part in headers.get("cache-control", "").split(",")}
    return {"private", "no-store"} <= control


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
