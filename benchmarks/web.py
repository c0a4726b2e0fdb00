"""Web benchmark: page latency under 20 concurrent signed-in clients, on loopback.

    .venv/bin/trellis demo --size medium --no-serve --data-dir /tmp/medium
    .venv/bin/python benchmarks/web.py --data-dir /tmp/medium            # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1/trellis_bench \\
        .venv/bin/python benchmarks/web.py --data-dir /tmp/medium-pg        # PostgreSQL

With ``TRELLIS_REDIS_URL`` set (the configuration of decision 0011) it also starts ``trellis
worker``, which holds the only evaluated scorecard; the web processes ask it for
explanations, charts and evidence. It then reports when the web processes answered, when
the worker's evaluation was ready, and the memory of all processes together (resident and
proportional: pages shared between processes counted once).

It empties the page cache and renders the unit scorecards and strategy maps ahead, as the
installation does when results change (``--cold``: nothing rendered ahead), starts ``trellis
serve`` (uvicorn) on a free loopback port, signs 20 clients in as the admin, warms every
worker up, then for ``--duration`` seconds each client requests pages in
turn (organization home, a unit scorecard, a measure detail, a strategy map; random units and
measures) and records the latency. Prints p50/p95/max per page. Requests stay on 127.0.0.1
and the run stops by itself.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _client(base: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, "no CSRF token on the sign-in page"
    data = urllib.parse.urlencode(
        {"username": "admin", "password": "demo", "csrfmiddlewaretoken": token.group(1)}
    ).encode()
    request = urllib.request.Request(f"{base}/login/", data=data, headers={"Referer": base})
    opener.open(request, timeout=30).read()
    return opener


def _codes(data_dir: str) -> tuple[list[str], list[str]]:
    os.environ["TRELLIS_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trellis.web.settings")
    import django

    django.setup()
    from trellis.web.scorecards.models import Measure, Unit

    units = list(Unit.objects.values_list("code", flat=True))
    measures = list(Measure.objects.values_list("code", flat=True))
    return units, measures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="request threads per process")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="start with an empty page cache (no page rendered ahead)",
    )
    parser.add_argument(
        "--client",
        choices=["wrk", "python"],
        default="wrk" if shutil.which("wrk") else "python",
        help="load generator: wrk (C, light; Debian package) or Python threads",
    )
    parser.add_argument(
        "--pages",
        default="home,unit,measure,map",
        help="comma-separated page types to measure (home, unit, measure, map)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed of the random units and measures measured (the same paths on every run)",
    )
    parser.add_argument(
        "--keep-cache",
        action="store_true",
        help="keep the page cache as it is (no emptying, no rendering ahead): for repeated runs",
    )
    args = parser.parse_args()

    units, measures = _codes(args.data_dir)
    from django.core.cache import cache

    if not args.keep_cache:
        cache.clear()  # no page rendered: every page is rendered for the first time in the run
    if not args.cold and not args.keep_cache:
        # The state an installation keeps itself in: unit scorecards and strategy maps are
        # rendered ahead when results change (`trellis warm-pages` renders all of them).
        subprocess.run(
            [sys.executable, "-m", "trellis.cli", "warm-pages", "--data-dir", args.data_dir],
            check=True,
        )
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    worker = None
    if os.environ.get("TRELLIS_REDIS_URL"):
        worker = subprocess.Popen(
            [sys.executable, "-m", "trellis.cli", "worker", "--data-dir", args.data_dir],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    started = time.monotonic()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "trellis.cli",
            "serve",
            "--data-dir",
            args.data_dir,
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(2000):
            try:
                with urllib.request.urlopen(f"{base}/login/", timeout=2):
                    break
            except OSError:
                time.sleep(0.05)
        answered = time.monotonic() - started
        clients = [_client(base) for _ in range(args.clients)]
        if worker is not None:
            evaluated = _evaluation_ready(base, clients[0], measures, started)
            print(
                f"web processes answered {answered:.1f} s after start; the worker's "
                f"evaluation answered {evaluated:.1f} s after start"
            )
        every = {
            "home": ("organization home", lambda: "/"),
            "unit": ("unit scorecard", lambda: f"/units/{random.choice(units)}/"),
            "measure": ("measure detail", lambda: f"/measures/{random.choice(measures)}/"),
            "map": ("strategy map", lambda: f"/units/{random.choice(units)}/map/"),
        }
        pages = dict(every[name.strip()] for name in args.pages.split(","))
        # Warm-up: every worker process builds its evaluated scorecard once (at start, in
        # the background); wait until pages that need it answer quickly several times in a
        # row, whichever process takes them.
        for client in clients[: max(4, args.workers * 4)]:
            for make in pages.values():
                client.open(base + make(), timeout=300).read()
        quick, deadline = 0, time.monotonic() + 300
        while quick < 8 * args.workers and time.monotonic() < deadline:
            start = time.perf_counter()
            clients[0].open(base + every["measure"][1](), timeout=300).read()
            quick = quick + 1 if time.perf_counter() - start < 0.5 else 0
        if args.client == "wrk":
            _run_wrk(base, clients[0], pages, units, measures, args)
            return
        timings: dict[str, list[float]] = {name: [] for name in pages}
        errors: list[str] = []
        stop = time.monotonic() + args.duration
        lock = threading.Lock()

        def run(client: urllib.request.OpenerDirector) -> None:
            names = list(pages)
            i = random.randrange(len(names))
            while time.monotonic() < stop:
                name = names[i % len(names)]
                i += 1
                t0 = time.perf_counter()
                try:
                    with client.open(base + pages[name](), timeout=60) as response:
                        response.read()
                        ok = response.status == 200
                except OSError as exc:
                    ok = False
                    with lock:
                        errors.append(repr(exc))
                elapsed = time.perf_counter() - t0
                if ok:
                    with lock:
                        timings[name].append(elapsed)

        threads = [threading.Thread(target=run, args=(c,)) for c in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        db = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
        print(
            f"{db}, {len(units):,} units, {len(measures):,} measures, {args.clients} clients, "
            f"{args.workers} workers, {args.duration:.0f} s"
        )
        for name, values in timings.items():
            values.sort()
            if not values:
                print(f"{name:20s} no successful requests")
                continue
            p95 = values[int(0.95 * (len(values) - 1))]
            print(
                f"{name:20s} n={len(values):5d}  p50 {statistics.median(values) * 1000:7.1f} ms"
                f"  p95 {p95 * 1000:7.1f} ms  max {values[-1] * 1000:7.1f} ms"
            )
        if errors:
            print(f"{len(errors)} errors, first: {errors[0]}")
    finally:
        print(_memory([server.pid] + ([worker.pid] if worker else [])))
        for process in (server, worker):
            if process is not None:
                process.terminate()
                process.wait(timeout=30)


MISSING = "Part of this page (explanations, charts or evidence) is missing"


def _evaluation_ready(
    base: str, client: urllib.request.OpenerDirector, measures: list[str], started: float
) -> float:
    """Seconds from the start until a measure page comes with its explanation."""
    while True:
        page = client.open(f"{base}/measures/{random.choice(measures)}/", timeout=60).read()
        if MISSING.encode() not in page:
            return time.monotonic() - started
        time.sleep(0.5)


def _tree(pid: int) -> list[int]:
    """A process and all its descendants."""
    found = [pid]
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as children:
            for child in children.read().split():
                found += _tree(int(child))
    return found


def _memory(roots: list[int]) -> str:
    """Resident and proportional set sizes of these processes and their children."""
    lines = []
    rss_total = pss_total = 0
    for root in roots:
        for pid in _tree(root):
            fields = {}
            with open(f"/proc/{pid}/smaps_rollup") as rollup:
                for line in rollup:
                    name, _sep, rest = line.partition(":")
                    if name in ("Rss", "Pss"):
                        fields[name] = int(rest.split()[0]) // 1024
            with open(f"/proc/{pid}/cmdline") as cmd:
                words = cmd.read().split("\0")
            role = "worker" if "worker" in words else "web" if pid != root else "server"
            rss_total += fields["Rss"]
            pss_total += fields["Pss"]
            rss, pss = fields["Rss"], fields["Pss"]
            lines.append(f"  {role:7s} pid {pid}: RSS {rss:,} MB, PSS {pss:,} MB")
    return "\n".join(["memory:", *lines, f"  total RSS {rss_total:,} MB, PSS {pss_total:,} MB"])


WRK_SCRIPT = """
local paths = {%s}
local cookie = "%s"
request = function()
  return wrk.format("GET", paths[math.random(#paths)], {["Cookie"] = cookie})
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%.1f %%.1f %%.1f %%d %%d\\n", summary.requests,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency.max / 1000,
    summary.errors.status, summary.errors.timeout))
end
"""


def _run_wrk(
    base: str,
    client: urllib.request.OpenerDirector,
    pages: dict,
    units: list[str],
    measures: list[str],
    args: argparse.Namespace,
) -> None:
    """One wrk run per page type: 20 connections on 2 threads, random objects."""
    handler = next(h for h in client.handlers if isinstance(h, urllib.request.HTTPCookieProcessor))
    cookie = "; ".join(f"{c.name}={c.value}" for c in handler.cookiejar)
    db = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    print(
        f"{db}, {len(units):,} units, {len(measures):,} measures, wrk {args.clients} "
        f"connections, {args.workers} workers × {args.threads} threads, "
        f"{args.duration:.0f} s per page"
    )
    for number, (name, make) in enumerate(pages.items()):
        random.seed(args.seed * 100 + number)  # the same paths in every run with this seed
        paths = ", ".join(f'"{make()}"' for _ in range(200))
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(WRK_SCRIPT % (paths, cookie))
        result = subprocess.run(
            ["wrk", "-t2", f"-c{args.clients}", f"-d{args.duration:.0f}s", "-s", script.name, base],
            capture_output=True,
            text=True,
            check=True,
        )
        os.unlink(script.name)
        line = next(x for x in result.stdout.splitlines() if x.startswith("RESULT"))
        n, p50, p95, top, bad, timeouts = line.split()[1:]
        print(
            f"{name:20s} n={int(n):5d}  p50 {float(p50):7.1f} ms  p95 {float(p95):7.1f} ms"
            f"  max {float(top):7.1f} ms  non-2xx {bad}  timeouts {timeouts}"
        )


if __name__ == "__main__":
    main()
