"""Files benchmark: the whole path a large customer takes, from a scorecard folder (one YAML
file per unit) and one CSV of actuals to evaluated results.

    python benchmarks/files.py                    # the 5-level enterprise (11,111 units)
    python benchmarks/files.py --levels 4         # 1,111 units
    python benchmarks/files.py --folder /tmp/ent  # where the files are written (kept)

The files are written once (the synthetic organization of ``trellis.demo.synthetic`` with its
observation grid: 2 % gaps, 36 months) and reused by later runs. Stages, each timed on its
own: loading the folder (``trellis.load``: YAML, definitions, alignment checks), compiling
the definitions (index arrays, dependency graph, formula groups), reading and validating the
CSV, evaluating from the parsed data (targets, grid, months), and the whole
``trellis score FOLDER --data CSV`` command as a user runs it (wall clock and peak memory of
that process). Peak memory of this process is printed last.
"""

from __future__ import annotations

import argparse
import csv
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from trellis.demo import synthetic
from trellis.engine.api import load
from trellis.engine.compile import compile_scorecard
from trellis.engine.periods import Grain
from trellis.engine.spec import ScorecardSpec

Dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def peak_mb() -> float:
    """Peak resident memory of this process in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _dump(model: Any) -> dict[str, Any]:
    data = model.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    data.pop("location", None)
    for level in ("target", "minimum", "stretch"):
        series = data.get(level)
        if isinstance(series, dict):  # as written in a file: a number, or one per period
            data[level] = (
                series.get("constant")
                if series.get("constant") is not None
                else (series.get("by_period") or series)
            )
    return dict(data)


def write_folder(spec: ScorecardSpec, folder: Path) -> None:
    """``organization.yaml`` and ``units/CODE.yaml`` (the unit, its objectives and their
    measures nested), as people keep a scorecard in a repository."""
    (folder / "units").mkdir(parents=True, exist_ok=True)
    organization = {"organization": _dump(spec.organization)}
    (folder / "organization.yaml").write_text(yaml.dump(organization, Dumper=Dumper))
    measures_of: dict[str, list[dict[str, Any]]] = {}
    for m in spec.measures:
        item = _dump(m)
        item.pop("objective", None)
        measures_of.setdefault(m.objective, []).append(item)
    objectives_of: dict[str, list[dict[str, Any]]] = {}
    for o in spec.objectives:
        item = _dump(o)
        item.pop("unit", None)
        if o.code in measures_of:
            item["measures"] = measures_of[o.code]
        objectives_of.setdefault(o.unit, []).append(item)
    for u in spec.units:
        document = {"unit": _dump(u), "objectives": objectives_of.get(u.code, [])}
        text = yaml.dump(document, Dumper=Dumper, sort_keys=False, width=100)
        (folder / "units" / f"{u.code}.yaml").write_text(text)


def write_actuals(spec: ScorecardSpec, path: Path, months: int) -> int:
    """Every reported value of the observation grid as ``measure,period,value``."""
    compiled = compile_scorecard(spec)
    horizon = synthetic.horizon(months, compiled.calendar)
    reported = np.flatnonzero(~compiled.computed)
    grid = synthetic.observations_grid(len(compiled.measures), reported, horizon.months)
    labels = [compiled.calendar.period(Grain.MONTH, horizon.first + c).label for c in range(months)]
    written = 0
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["measure", "period", "value"])
        for row in reported.tolist():
            code = compiled.measures[row].code
            values = grid[row, :months]
            for col in np.flatnonzero(~np.isnan(values)).tolist():
                writer.writerow((code, labels[col], f"{values[col]:.4f}"))
                written += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", type=int, default=5)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--folder", type=Path, default=None)
    args = parser.parse_args()
    folder = args.folder or Path(f"/tmp/trellis-files-{args.levels}")
    scorecard, actuals = folder / "scorecard", folder / "actuals.csv"
    if not actuals.exists():
        t0 = time.perf_counter()
        spec = synthetic.build(args.levels)
        write_folder(spec, scorecard)
        rows = write_actuals(spec, actuals, args.months)
        del spec
        print(
            f"wrote {scorecard} and {actuals} ({rows:,} rows) in {time.perf_counter() - t0:.0f} s"
        )
    files = len(list((scorecard / "units").glob("*.yaml")))
    size = actuals.stat().st_size / 1024**2
    print(f"{files:,} unit files, actuals {size:,.0f} MB")

    t0 = time.perf_counter()
    card = load(scorecard)
    t_load = time.perf_counter() - t0
    print(f"load the folder (YAML, definitions, checks) {t_load:8.2f} s")

    t0 = time.perf_counter()
    _ = card.compiled  # built on first use
    t_compile = time.perf_counter() - t0
    print(f"compile (indexes, graph, formula groups)    {t_compile:8.2f} s")

    t0 = time.perf_counter()
    stored = card.read_stored(actuals)
    t_read = time.perf_counter() - t0
    count = len(stored.values)
    print(f"read + validate the CSV (as arrays)         {t_read:8.2f} s   {count:,} values")

    t0 = time.perf_counter()
    results = card.evaluate_stored(stored)
    t_eval = time.perf_counter() - t0
    print(f"evaluate from parsed data (months)          {t_eval:8.2f} s")
    del results
    print(f"peak memory of these stages                 {peak_mb():8.0f} MB")

    t0 = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import resource, sys; from trellis.cli.main import app; sys.argv = sys.argv[1:];"
            "\ntry:\n    app()\nexcept SystemExit:\n    pass\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, file=sys.stderr)",
            "trellis",
            "score",
            str(scorecard),
            "--data",
            str(actuals),
            "--level",
            "unit",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    t_cli = time.perf_counter() - t0
    memory = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "?"
    print(f"trellis score FOLDER --data CSV (wall)      {t_cli:8.2f} s   peak {memory} MB")


if __name__ == "__main__":
    main()
