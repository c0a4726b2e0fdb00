"""Static files: collected once per version under hashed names with compressed copies, and
served by the real server with a long cache lifetime, Plotly only where a chart is."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

import pytest
from django.test.utils import override_settings

from tests.real_client import Browser
from trellis.web.core import static


def test_collected_once_per_version_with_hashed_and_compressed_copies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with override_settings(STATIC_ROOT=tmp_path / "static"):
        assert static.collect() is True
        plotly = sorted(p.name for p in (tmp_path / "static" / "plotly").glob("plotly.min.*"))
        assert any(re.fullmatch(r"plotly\.min\.[0-9a-f]{12}\.js", name) for name in plotly)
        assert any(re.fullmatch(r"plotly\.min\.[0-9a-f]{12}\.js\.gz", name) for name in plotly)
        assert (tmp_path / "static" / "staticfiles.json").is_file()
        assert static.collect() is False  # this version has them
        monkeypatch.setattr(static, "code_fingerprint", lambda: "another version")
        assert static.collect() is True


def test_the_server_sends_hashed_files_compressed_for_a_year(server: str) -> None:
    client = Browser(server)
    assert client.sign_in("viewer", "demo") == 302
    status, _headers, measure = client.request("/measures/SALES_OSLO/")
    assert status == 200
    found = re.search(r'<script src="(/static/plotly/plotly\.min\.[0-9a-f]{12}\.js)">', measure)
    assert found is not None, "the measure page loads the hashed Plotly"
    wanted = urllib.request.Request(server + found.group(1), headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(wanted, timeout=30) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        assert response.headers["Cache-Control"] == "max-age=315360000, public, immutable"
        assert int(response.headers["Content-Length"]) < 2_000_000  # 4.8 MB unpacked
    _status, _headers, home = client.request("/")
    assert "plotly" not in home  # no chart, no Plotly
