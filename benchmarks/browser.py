"""Browser benchmark: the first measure page a person opens, in Chromium, on loopback.

    .venv/bin/trellis demo --no-serve --data-dir /tmp/demo
    .venv/bin/python benchmarks/browser.py --data-dir /tmp/demo

It serves the installation with ``trellis serve`` on a free loopback port, then for each of
``--repeat`` runs opens a new browser context (an empty cache, as a person's first visit),
signs in as the admin and opens a measure page with a chart (Plotly), timing the navigation
from its start to the load event, and counting the bytes that crossed the wire (compressed
as sent) and the bytes of the files they unpacked to. A second visit of the same page in the
same context shows what the cache lifetime saves. The numbers come from the browser's own
navigation and resource timing. Requests stay on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{url}/login/", timeout=2):
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the server did not start") from None
            time.sleep(0.3)


TIMING = """() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const all = [nav, ...performance.getEntriesByType('resource')];
    const paint = performance.getEntriesByName('first-contentful-paint')[0];
    return {
        load: nav.loadEventEnd - nav.startTime,
        content: paint ? paint.startTime : 0,
        transferred: all.reduce((n, e) => n + e.transferSize, 0),
        decoded: all.reduce((n, e) => n + e.decodedBodySize, 0),
        plotly: all.filter(e => e.name.includes('plotly')).map(e => e.transferSize)[0] ?? 0,
    };
}"""


def visit(page: Any, url: str) -> dict[str, float]:
    """Open ``url`` and return the browser's timing of it."""
    page.goto(url, wait_until="load")
    return dict(page.evaluate(TIMING))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--measure", default="SALES_OSLO")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "TRELLIS_DATA_DIR"}
    server = subprocess.Popen(
        [sys.executable, "-m", "trellis.cli", "serve", "--data-dir", str(args.data_dir),
         "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base, server)
        first: list[dict[str, float]] = []
        again: list[dict[str, float]] = []
        with sync_playwright() as p:
            chromium = os.environ.get("TRELLIS_CHROMIUM", "/usr/bin/chromium")
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            for _ in range(args.repeat):
                context = browser.new_context()
                page = context.new_page()
                page.goto(f"{base}/login/")
                page.fill("#id_username", "admin")
                page.fill("#id_password", "demo")
                page.click("button[type=submit]")
                page.wait_for_load_state()
                first.append(visit(page, f"{base}/measures/{args.measure}/"))
                again.append(visit(page, f"{base}/measures/{args.measure}/"))
                context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    for label, runs in (("first visit (empty cache)", first), ("second visit", again)):
        loads = sorted(r["load"] for r in runs)
        painted = [r["content"] for r in runs if r["content"]]
        content = f"{statistics.median(painted):4.0f} ms" if painted else "(cached)"
        print(
            f"{label:27s} load median {statistics.median(loads):5.0f} ms, "
            f"max {loads[-1]:5.0f} ms, first content {content}; "
            f"{runs[0]['transferred'] / 1e6:5.2f} MB over the wire "
            f"({runs[0]['decoded'] / 1e6:.2f} MB unpacked; Plotly "
            f"{runs[0]['plotly'] / 1e6:.2f} MB)"
        )


if __name__ == "__main__":
    main()
