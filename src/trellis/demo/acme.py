"""The sample organization Acme: scorecard YAML shipped with the package, 24 months of data.

Acme's fiscal year starts in April. The data covers the fiscal years 2025 and 2026
(April 2024 to March 2026) with a few gaps, one measure whose latest quarter was never
reported (so monthly views show it stale) and one that skipped last year's survey.
"""

from __future__ import annotations

import csv
import shutil
from importlib import resources
from pathlib import Path

from trellis.demo.data import generate
from trellis.engine.api import load
from trellis.engine.loading import load_spec
from trellis.engine.periods import month_index

FIRST_MONTH = month_index(2024, 4)
MONTHS = 24
PERFORMANCE = {
    # Some units do better than others, so the dashboards have something to say.
    "retail_south": 0.95,
    "store_vienna": 0.93,
    "online_web": 1.03,
    "cat_fashion": 0.96,
    "supply_transport": 0.97,
    "planner_west": 0.95,
    "agent_ben": 0.97,
}
WITHHELD = {("MARKET_SHARE", "2026-Q4"), ("ENGAGEMENT", "2026"), ("TRAINING_VIENNA", "2026-03")}
"""Values withheld so the sample shows stale and missing data: the market panel's last
quarter is late, the 2026 engagement survey was skipped and one store manager has not
reported training for March yet."""

SAMPLE_README = """# Acme Corporation — the Trellis sample organization

- `scorecard/`: the scorecard as code, one YAML file per unit (teams with their people).
- `actuals.csv`: 24 months of data (April 2024 - March 2026), `measure,period,value`.
- `targets.csv`: every target level per period, as the engine resolves it (for reference;
  the targets themselves are defined in the YAML).

Try:

    trellis check scorecard
    trellis score scorecard --data actuals.csv --level unit --period 2026-Q4
    trellis score scorecard --data actuals.csv --unit retail --period 2026-03
    trellis explain scorecard GROSS_MARGIN --data actuals.csv --period 2026-Q4
"""


def scorecard_folder() -> Path:
    """The packaged YAML of the sample organization."""
    return Path(str(resources.files("trellis.demo") / "acme" / "scorecard"))


def observations() -> list[tuple[str, str, float]]:
    """The sample's 24 months of data."""
    loaded = load_spec(scorecard_folder())
    assert loaded.spec is not None, loaded.findings
    rows = [
        row
        for row in generate(loaded.spec, FIRST_MONTH, MONTHS, seed=2026, performance=PERFORMANCE)
        if (row[0], row[1]) not in WITHHELD
    ]
    return sorted(rows, key=lambda r: (r[1], r[0]))


def write_sample(directory: Path) -> list[Path]:
    """Write the scorecard folder, ``actuals.csv``, ``targets.csv`` and a README."""
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copytree(scorecard_folder(), directory / "scorecard", dirs_exist_ok=True)
    actuals = directory / "actuals.csv"
    with actuals.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["measure", "period", "value"])
        writer.writerows(observations())
    card = load(directory / "scorecard")
    results = card.evaluate(actuals)
    targets = directory / "targets.csv"
    with targets.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["measure", "period", "target", "minimum", "stretch"])
        for row in results.target_table():
            writer.writerow(row)
    readme = directory / "README.md"
    readme.write_text(SAMPLE_README, encoding="utf-8")
    return sorted(p for p in directory.rglob("*") if p.is_file())
