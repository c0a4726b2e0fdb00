"""Engine benchmark: compile, full evaluation, incremental re-evaluation, peak memory.

    python benchmarks/engine.py                     # full size: 11,111 units, ~247,000 measures
    python benchmarks/engine.py --levels 4          # 1,111 units

Reports wall-clock seconds for each stage on this machine; see benchmarks/README.md for
recorded results. Evaluation starts from an observation grid (the validation of data files
is measured by the import benchmarks).
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

from trellis.demo import synthetic
from trellis.engine.compile import compile_scorecard
from trellis.engine.evaluate import Evaluator
from trellis.engine.graph import affected
from trellis.engine.periods import Grain
from trellis.engine.results import Results
from trellis.engine.targets import LEVELS, build_grid


def peak_mb() -> float:
    """Peak resident memory of this process in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", type=int, default=5)
    parser.add_argument("--branching", type=int, default=10)
    parser.add_argument("--periods", type=int, default=36, help="months of data")
    parser.add_argument("--repeat", type=int, default=20, help="incremental updates to time")
    args = parser.parse_args()

    t0 = time.perf_counter()
    spec = synthetic.build(args.levels, args.branching)
    t_build = time.perf_counter() - t0
    n = len(spec.measures)
    sources = [m.source.value for m in spec.measures]
    print(
        f"units {len(spec.units):,}  objectives {len(spec.objectives):,}  measures {n:,}  "
        f"(formula {sources.count('formula') / n:.0%}, roll-up {sources.count('rollup') / n:.0%})"
        f"  × {args.periods} months"
    )
    print(f"generate definitions     {t_build:8.3f} s")

    t0 = time.perf_counter()
    compiled = compile_scorecard(spec)
    horizon = synthetic.horizon(args.periods, compiled.calendar)
    targets = {
        level: build_grid(compiled.measures, level, compiled.calendar, horizon) for level in LEVELS
    }
    t_compile = time.perf_counter() - t0
    print(f"compile (+ target grids) {t_compile:8.3f} s")

    reported = np.flatnonzero(~compiled.computed)
    grid = synthetic.observations_grid(n, reported, horizon.months)
    t0 = time.perf_counter()
    evaluator = Evaluator(compiled, horizon, grid, targets)
    evaluator.grain(Grain.MONTH)
    t_full = time.perf_counter() - t0
    print(f"full evaluation (months) {t_full:8.3f} s   {n * horizon.months:,} measure-months")
    t0 = time.perf_counter()
    for grain in (Grain.QUARTER, Grain.YEAR, Grain.YTD):
        evaluator.grain(grain)
    t_more = time.perf_counter() - t0
    print(f"+ quarter, year, YTD     {t_more:8.3f} s")

    results = Results(compiled, evaluator)
    rng = np.random.default_rng(3)
    leaf_rows = reported[-(reported.size // 2) :]
    times = []
    sizes = []
    for _ in range(args.repeat):
        row = int(rng.choice(leaf_rows))
        col = int(rng.integers(0, horizon.months))
        t0 = time.perf_counter()
        evaluator.observed[row, col] = float(rng.normal(100, 10))
        rows = affected(compiled.dependency, [row])
        evaluator.update(rows)
        times.append(time.perf_counter() - t0)
        sizes.append(rows.size)
    print(
        f"incremental, one change  {np.median(times) * 1000:8.2f} ms median, "
        f"{max(times) * 1000:.2f} ms max over {args.repeat} (4 grains cached; "
        f"{int(np.median(sizes))} measures affected)"
    )
    public = []
    for _ in range(args.repeat):
        row = int(rng.choice(leaf_rows))
        month = horizon.first + int(rng.integers(0, horizon.months))
        label = compiled.calendar.period(Grain.MONTH, month).label
        code = compiled.measures[row].code
        t0 = time.perf_counter()
        results.update([(code, label, float(rng.normal(100, 10)))])
        public.append(time.perf_counter() - t0)
    print(
        f"Results.update (public)  {np.median(public) * 1000:8.2f} ms median, "
        f"{max(public) * 1000:.2f} ms max over {args.repeat} (validation included)"
    )
    del results, evaluator
    t0 = time.perf_counter()
    Evaluator(compiled, horizon, grid, targets).grain(Grain.MONTH)
    t_warm = time.perf_counter() - t0
    print(f"full evaluation, again   {t_warm:8.3f} s   (same process: memory already mapped)")
    print(f"peak memory              {peak_mb():8.0f} MB")


if __name__ == "__main__":
    main()
