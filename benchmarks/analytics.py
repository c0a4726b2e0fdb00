"""Analytics benchmark: XmR limits and run rules for every measure at once.

    .venv/bin/python benchmarks/analytics.py            # ~247,000 measures × 36 months

Builds the synthetic organization's observation grid (the same generator as
``benchmarks/engine.py``: every reported measure with 2 % of months missing) plus its
computed measures' values, then times XmR limits for all rows and the Western Electric and
Nelson rules over all rows.
"""

from __future__ import annotations

import argparse
import time

from trellis.demo import synthetic
from trellis.engine.analytics.rules import signal_matrix
from trellis.engine.analytics.spc import xmr_rows
from trellis.engine.evaluate import Evaluator
from trellis.engine.periods import Grain


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", type=int, default=5)
    parser.add_argument("--periods", type=int, default=36)
    args = parser.parse_args()
    _spec, compiled, horizon, targets, grid = synthetic.month_inputs(args.levels, args.periods)
    values = Evaluator(compiled, horizon, grid, targets).grain(Grain.MONTH).value
    print(f"{values.shape[0]:,} measures × {values.shape[1]} months")
    t0 = time.perf_counter()
    limits = xmr_rows(values)
    t_limits = time.perf_counter() - t0
    counts = {}
    t0 = time.perf_counter()
    for rules in ("western_electric", "nelson"):
        masks = signal_matrix(values, limits.center, limits.sigma, rules)
        counts[rules] = sum(int(m.sum()) for m in masks.values())
    t_rules = time.perf_counter() - t0
    print(f"XmR limits, all measures        {t_limits:7.3f} s")
    print(f"Western Electric + Nelson rules {t_rules:7.3f} s  ({counts})")
    print(f"total                           {t_limits + t_rules:7.3f} s")


if __name__ == "__main__":
    main()
