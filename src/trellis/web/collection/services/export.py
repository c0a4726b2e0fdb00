"""Exporting data in the formats imports read (export → import round-trips), with text
cells a spreadsheet could run as formulas escaped."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from trellis.engine.data_files import neutralize
from trellis.web.core.roles import Action
from trellis.web.observations.models import Observation

LONG_HEADER = ["measure", "period", "value", "segment", "comment"]


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def rows(user: Any, layout: str = "long", unit_path: str | None = None) -> list[list[Any]]:
    """The observations ``user`` may see (under one unit's subtree when given) as rows of
    the long or the wide layout, header first; numbers stay numbers, text is escaped."""
    found = (
        Observation.objects.all()
        if user is None
        else Observation.objects.restrict(user, Action.VIEW)
    )
    if unit_path:
        found = found.filter(measure__unit__path__startswith=unit_path)
    data = found.order_by("measure__unit__position", "measure__position", "end_month", "segment")
    fields = (
        "measure__code",
        "measure__name",
        "period",
        "end_month",
        "value",
        "segment",
        "comment",
    )
    values = data.values_list(*fields).iterator(chunk_size=20_000)
    if layout == "wide":
        return _wide(values)
    out: list[list[Any]] = [list(LONG_HEADER)]
    for code, _name, period, _end, value, segment, comment in values:
        out.append([neutralize(code), period, value, neutralize(segment), neutralize(comment)])
    return out


def _wide(values: Iterable[tuple[Any, ...]]) -> list[list[Any]]:
    periods: dict[str, tuple[int, int]] = {}
    table: dict[tuple[str, str], dict[str, float]] = {}
    names: dict[str, str] = {}
    for code, name, period, end, value, segment, _comment in values:
        periods.setdefault(period, (end, len(period)))
        table.setdefault((code, segment), {})[period] = value
        names[code] = name
    labels = sorted(periods, key=lambda p: periods[p])
    segmented = any(segment for _, segment in table)
    header = ["measure", "name", *(["segment"] if segmented else []), *labels]
    out: list[list[Any]] = [header]
    for (code, segment), cells in table.items():
        lead = [neutralize(code), neutralize(names[code])]
        if segmented:
            lead.append(neutralize(segment))
        out.append(lead + [cells.get(p) for p in labels])
    return out


def to_csv(table: list[list[Any]]) -> bytes:
    """CSV bytes (UTF-8), numbers written so that they read back exactly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in table:
        writer.writerow(
            ["" if v is None else _number(v) if isinstance(v, float) else v for v in row]
        )
    return buffer.getvalue().encode("utf-8")


def to_xlsx(table: list[list[Any]]) -> bytes:
    """An XLSX workbook with one sheet ``data``; numbers are numeric cells."""
    from openpyxl import Workbook  # noqa: PLC0415 - only exports need it

    book = Workbook(write_only=True)
    sheet = book.create_sheet("data")
    for row in table:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
