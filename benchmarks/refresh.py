"""How long a data change takes to reach the dashboards.

    .venv/bin/python benchmarks/refresh.py --data-dir /tmp/medium

In a warm process (as a server is), saves an observation while a second thread, on its own
database connection (as another person's page view would be), polls the stored series the
pages read until it shows the new value: the save, the commit, the queued refresh
(immediate backend), the incremental re-evaluation of every cached grain and the rewrite of
the affected rows. The save returns later: it then renders the changed units' pages ahead
(reported too). Repeats ``--repeat`` times on random reported measures and prints the
median and maximum.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import threading
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    os.environ["TRELLIS_DATA_DIR"] = args.data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trellis.web.settings")
    import django

    django.setup()
    from django.db import transaction

    from trellis.web.observations.models import Observation
    from trellis.web.results import services

    t0 = time.perf_counter()
    services.engine()
    print(f"warm-up (evaluate the stored scorecard once): {time.perf_counter() - t0:.2f} s")
    ids = list(Observation.objects.filter(segment="").values_list("pk", flat=True))
    visible: list[float] = []
    saved: list[float] = []
    for _ in range(args.repeat):
        observation = Observation.objects.select_related("measure").get(pk=random.choice(ids))
        new_value = round(observation.value + random.uniform(1, 10), 2)
        seen: list[float] = []
        watcher = threading.Thread(
            target=_watch, args=(observation.measure_id, observation.period, new_value, seen)
        )
        watcher.start()
        t0 = time.perf_counter()
        with transaction.atomic():
            observation.value = new_value
            observation.save()
        saved.append(time.perf_counter() - t0)
        watcher.join()
        visible.append(seen[0] - t0)
    print(
        f"data change visible to another connection: median "
        f"{statistics.median(visible) * 1000:.0f} ms, max {max(visible) * 1000:.0f} ms over "
        f"{args.repeat} changes"
    )
    print(
        f"the save returns (pages of the changed units rendered ahead): median "
        f"{statistics.median(saved) * 1000:.0f} ms, max {max(saved) * 1000:.0f} ms"
    )


def _watch(measure_id: int, period: str, value: float, seen: list[float]) -> None:
    """Poll the stored monthly series every 2 ms until it shows ``value`` (30 s at most);
    the moment it does goes into ``seen``."""
    from django.db import connection

    from trellis.web.results.models import MeasureSeries

    deadline = time.perf_counter() + 30
    try:
        while time.perf_counter() < deadline:
            series = MeasureSeries.objects.get(measure_id=measure_id, grain="month")
            if series.value[series.periods.index(period)] == value:
                seen.append(time.perf_counter())
                return
            time.sleep(0.002)
        raise SystemExit(f"the change to {value} never became visible")
    finally:
        connection.close()


if __name__ == "__main__":
    main()
