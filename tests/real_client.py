"""A client of a real server over HTTP (urllib): its own cookies, no redirects followed,
sign-in and form posts with the CSRF token, file uploads."""

from __future__ import annotations

import http.cookiejar
import re
import secrets
import urllib.error
import urllib.parse
import urllib.request


def _lower(headers: object) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}  # type: ignore[attr-defined]


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

    def csrf(self, path: str) -> str:
        """The CSRF token of the form on the page at ``path``."""
        _status, _headers, page = self.request(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token is not None, f"no form on {path}"
        return token.group(1)

    def post(self, path: str, form: dict[str, str]) -> tuple[int, dict[str, str], str]:
        """Post a form to the page at ``path`` as its own form would (token, referrer)."""
        fields = {"csrfmiddlewaretoken": self.csrf(path), **form}
        return self.request(path, fields, {"Referer": self.base + path})

    def upload(self, path: str, name: str, content: bytes) -> tuple[int, dict[str, str], str]:
        """Post a file (field ``file``) to the page at ``path`` as its form would."""
        boundary = secrets.token_hex(16)
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"'
            f"\r\n\r\n{self.csrf(path)}\r\n".encode(),
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"'
            "\r\nContent-Type: application/octet-stream\r\n\r\n".encode(),
            content,
            f"\r\n--{boundary}--\r\n".encode(),
        ]
        wanted = urllib.request.Request(
            self.base + path,
            data=b"".join(parts),
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Referer": self.base + path,
            },
        )
        try:
            with self.opener.open(wanted, timeout=60) as response:
                return response.status, _lower(response.headers), response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, _lower(exc.headers), exc.read().decode()
