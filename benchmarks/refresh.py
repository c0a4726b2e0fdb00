"""How long a data change takes to reach the dashboards.

    .venv/bin/python benchmarks/refresh.py --data-dir /tmp/medium

In a warm process (as a server is), saves an observation and waits for the stored series
the pages read to show it: the save, the commit, the queued refresh (immediate backend),
the incremental re-evaluation of every cached grain and the rewrite of the affected rows.
Repeats ``--repeat`` times on random reported measures and prints the median and maximum.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
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
    from trellis.web.results.models import MeasureSeries

    t0 = time.perf_counter()
    services.engine()
    print(f"warm-up (evaluate the stored scorecard once): {time.perf_counter() - t0:.2f} s")
    ids = list(Observation.objects.filter(segment="").values_list("pk", flat=True))
    times = []
    for _ in range(args.repeat):
        observation = Observation.objects.select_related("measure").get(pk=random.choice(ids))
        new_value = round(observation.value + random.uniform(1, 10), 2)
        t0 = time.perf_counter()
        with transaction.atomic():
            observation.value = new_value
            observation.save()
        series = MeasureSeries.objects.get(measure=observation.measure, grain="month")
        shown = series.value[series.periods.index(observation.period)]
        times.append(time.perf_counter() - t0)
        assert shown == new_value, (shown, new_value)
    print(
        f"data change visible in stored results: median {statistics.median(times) * 1000:.0f} ms, "
        f"max {max(times) * 1000:.0f} ms over {args.repeat} changes"
    )


if __name__ == "__main__":
    main()
