"""How long a large data import takes, from the file to the stored results.

    .venv/bin/python benchmarks/imports.py --data-dir /tmp/import-bench             # 1 M CSV rows
    .venv/bin/python benchmarks/imports.py --data-dir /tmp/import-bench --xlsx 100000

Builds (once per data folder) the synthetic organization of ``trellis demo --size medium``
without data: about 1,100 units and 13,700 reported measures. Writes a long-format file of
``--rows`` values (each reported measure, consecutive months from 2020-01), then times the
same path as ``trellis import-data``: reading, validation (rows, periods, locks, stored
values, the measures' data rules), the commit (observations and their history in one
transaction) and the recomputation of the stored results that follows. Then imports the
same file again ("nothing to change"). The database starts without observations each run.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx", type=int, default=0, help="rows of an XLSX file instead")
    args = parser.parse_args()
    os.environ["TRELLIS_DATA_DIR"] = str(args.data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trellis.web.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from trellis.web.collection.services import data
    from trellis.web.observations.models import DataImport, Observation, Submission
    from trellis.web.results import services
    from trellis.web.scorecards import services as definitions
    from trellis.web.scorecards.models import Measure

    call_command("migrate", verbosity=0)
    if not Measure.objects.exists():
        from trellis.demo import synthetic

        t0 = time.perf_counter()
        definitions.store_spec(synthetic.build(levels=4))
        print(f"organization stored: {time.perf_counter() - t0:.1f} s")
    for model in (Observation.history.model, Observation, Submission, DataImport):
        model.objects.all()._raw_delete(model.objects.db)  # no per-row signals
    services.recompute()

    rows = args.xlsx or args.rows
    codes = list(
        Measure.objects.filter(source__in=["manual", "import"], active=True)
        .order_by("pk")
        .values_list("code", flat=True)
    )
    name, content = (_xlsx if args.xlsx else _csv)(codes, rows)
    print(f"{rows:,} rows over {len(codes):,} measures, {len(content) / 1e6:.1f} MB ({name})")

    t0 = time.perf_counter()
    check = data.check_file(name, content, None)
    t1 = time.perf_counter()
    assert check.ok, [f.message for f in check.errors[:5]]
    written = data.commit(check, None, "import")
    t2 = time.perf_counter()
    print(f"read and validate: {t1 - t0:6.1f} s")
    print(f"commit + recompute: {t2 - t1:6.1f} s   ({written.created:,} values created)")
    print(f"total:              {t2 - t0:6.1f} s")
    assert Observation.objects.count() == rows

    t0 = time.perf_counter()
    again = data.check_file(name, content, None)
    print(
        f"same file again:    {time.perf_counter() - t0:6.1f} s   "
        f"({again.unchanged:,} unchanged, {len(again.changes)} changes)"
    )


def _values(codes: list[str], rows: int) -> list[tuple[str, str, float]]:
    from trellis.engine.periods import month_index, month_label

    first = month_index(2020, 1)
    months = -(-rows // len(codes))
    out = []
    for offset in range(months):
        label = month_label(first + offset)
        for i, code in enumerate(codes):
            if len(out) == rows:
                return out
            out.append((code, label, round(50 + (i * 7 + offset * 13) % 50 + offset * 0.1, 2)))
    return out


def _csv(codes: list[str], rows: int) -> tuple[str, bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["measure", "period", "value"])
    writer.writerows(_values(codes, rows))
    return "bench.csv", buffer.getvalue().encode()


def _xlsx(codes: list[str], rows: int) -> tuple[str, bytes]:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("data")
    sheet.append(["measure", "period", "value"])
    for row in _values(codes, rows):
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return "bench.xlsx", buffer.getvalue()


if __name__ == "__main__":
    main()
