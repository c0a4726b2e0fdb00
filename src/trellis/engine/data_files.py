"""Data files: CSV and XLSX, in the long layout (``measure,period,value[,segment,comment]``)
or the wide one people keep in spreadsheets (one row per measure, one column per period).

Both read into long rows ``(line, cells, columns)`` that :func:`observations.validate`
checks; ``columns`` maps each field to its spreadsheet column so that every finding names
the row and the column where the problem is. Nothing here knows a scorecard: period columns
of a wide file are recognised by their shape and checked against the calendar later.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trellis.engine.findings import Finding, error
from trellis.engine.spec import Location

LONG_REQUIRED = ("measure", "period", "value")
LONG_OPTIONAL = ("segment", "comment")
WIDE_TEXT = ("measure", "name", "segment")
"""Non-period columns of a wide file (``name`` is for people and is not read)."""

_PERIOD_SHAPE = re.compile(r"^\d{4}(-\d{2}(:YTD)?|-Q\d|-H\d)?$")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Columns = dict[str, int]
Row = tuple[int, dict[str, str], Columns]


@dataclass
class Table:
    """A data file read into long rows, with what was wrong with its form."""

    file: str
    layout: str = "long"
    rows: list[Row] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def column_letter(position: int) -> str:
    """Spreadsheet column name of a 1-based position (1 → A, 28 → AB)."""
    letters = ""
    while position > 0:
        position, rest = divmod(position - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def neutralize(text: str) -> str:
    """Text a spreadsheet will not run as a formula: a leading ``= + - @`` (or tab, CR)
    is escaped with an apostrophe. :func:`restore` undoes it on import."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def restore(text: str) -> str:
    """The text :func:`neutralize` escaped."""
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA_START) else text


def read_table(source: str | Path, content: bytes | None = None) -> Table:
    """Read a CSV or XLSX data file (from ``content`` when given, else from the path)."""
    file = str(source)
    table = Table(file)
    if content is None:
        try:
            content = Path(source).read_bytes()
        except OSError as exc:
            table.findings.append(_file_error(file, f"cannot read file: {exc}"))
            return table
    if not content.strip():
        table.findings.append(_file_error(file, "the file is empty", line=1))
        return table
    suffix = Path(file).suffix.lower()
    if suffix == ".xls" or content.startswith(b"\xd0\xcf\x11\xe0"):
        table.findings.append(
            _file_error(file, "the old .xls format is not read; save the sheet as .xlsx or CSV")
        )
        return table
    if suffix in (".xlsx", ".xlsm") or content.startswith(b"PK\x03\x04"):
        grid = _xlsx_cells(content, table)
    else:
        grid = _csv_cells(content, table)
    if grid is not None:
        _read_grid(grid, table)
    return table


def _file_error(file: str, message: str, line: int | None = None) -> Finding:
    return error("data-file", message, location=Location(file=file, line=line))


def _csv_cells(content: bytes, table: Table) -> Iterator[list[str]] | None:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        table.findings.append(_file_error(table.file, f"not a UTF-8 text file ({exc.reason})"))
        return None
    if "\x00" in text:
        table.findings.append(_file_error(table.file, "not a CSV file (binary content)"))
        return None
    return csv.reader(io.StringIO(text, newline=""))


MAX_XLSX_EXPANDED = 1024**3
"""The most a workbook may unpack to (its parts as the zip file declares them): a small
file that unpacks to gigabytes (a "zip bomb") is refused before it is read."""
BROKEN_XLSX = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    KeyError,
    IndexError,
    OSError,
    TypeError,
    ValueError,
    SyntaxError,  # xml.etree's ParseError: a part whose XML is not well formed
)
"""What openpyxl raises on a damaged workbook, while opening it or reading its rows."""


def _xlsx_cells(content: bytes, table: Table) -> Iterator[list[str]] | None:
    from openpyxl import load_workbook  # noqa: PLC0415 - only XLSX files need it

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(part.file_size for part in archive.infolist())
        if unpacked > MAX_XLSX_EXPANDED:
            limit = MAX_XLSX_EXPANDED // 1024**2
            table.findings.append(
                _file_error(table.file, f"the workbook unpacks to more than {limit:,} MB")
            )
            return None
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except BROKEN_XLSX as exc:
        table.findings.append(_file_error(table.file, _broken(exc)))
        return None
    return _sheet_rows(book.worksheets[0], table)


def _broken(exc: BaseException) -> str:
    return f"not a readable XLSX workbook ({exc.__class__.__name__}: {exc})"


def _sheet_rows(sheet: Any, table: Table) -> Iterator[list[str]]:
    """The rows of a sheet as text; a part found damaged while reading ends them with a
    finding (the rows read before it are then not imported either)."""
    try:
        for row in sheet.iter_rows(values_only=True):
            yield [_cell_text(v) for v in row]
    except BROKEN_XLSX as exc:
        table.findings.append(_file_error(table.file, _broken(exc)))


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime | dt.date):
        # A month heading typed as a date (the first of the month) names the month.
        return f"{value.year:04d}-{value.month:02d}" if value.day == 1 else value.isoformat()
    return str(value)


def _read_grid(cells: Iterable[list[str]], table: Table) -> None:
    lines = iter(cells)
    header_cells = next(lines, None)
    if header_cells is None:
        if not table.findings:  # not when reading it failed
            table.findings.append(_file_error(table.file, "the file is empty", line=1))
        return
    header = [h.strip().lower() for h in header_cells]
    while header and not header[-1]:
        header.pop()
    if "period" in header or "value" in header:
        _read_long(header, lines, table)
    elif "measure" in header:
        table.layout = "wide"
        _read_wide(header, header_cells, lines, table)
    else:
        table.findings.append(
            error(
                "data-header",
                "the first row must be a header: measure,period,value (optionally segment, "
                "comment) or, one column per period, measure followed by period labels",
                location=Location(file=table.file, line=1),
            )
        )


def _header_error(table: Table, position: int | None, message: str) -> None:
    where = f"column {column_letter(position)}: " if position else ""
    table.findings.append(
        error(
            "data-header",
            where + message,
            location=Location(file=table.file, line=1, column=position),
        )
    )


def _read_long(header: list[str], lines: Iterator[list[str]], table: Table) -> None:
    missing = [c for c in LONG_REQUIRED if c not in header]
    if missing:
        _header_error(
            table,
            None,
            f"missing column(s) {', '.join(missing)}; the header must be "
            "measure,period,value (optionally segment, comment)",
        )
    for position, name in enumerate(header, start=1):
        if name not in LONG_REQUIRED + LONG_OPTIONAL:
            _header_error(
                table,
                position,
                f"unknown column '{name}'; expected measure, period, value, segment, comment",
            )
        elif header.index(name) != position - 1:
            _header_error(table, position, f"column '{name}' appears twice")
    if table.findings:
        return
    columns = {name: i + 1 for i, name in enumerate(header)}
    width = len(header)
    escaped = [name for name in ("measure", "segment", "comment") if name in columns]
    for number, row in enumerate(lines, start=2):
        if not "".join(row).strip():
            continue
        if len(row) > width and "".join(row[width:]).strip():
            table.findings.append(
                error(
                    "data-row",
                    f"row {number}: {len(row)} cells but the header has {width} columns",
                    location=Location(file=table.file, line=number, column=width + 1),
                )
            )
            continue
        padded = row[:width] + [""] * (width - len(row)) if len(row) != width else row
        cells = dict(zip(header, [c.strip() for c in padded], strict=True))
        for name in escaped:
            if cells[name].startswith("'"):
                cells[name] = restore(cells[name])
        table.rows.append((number, cells, columns))


def _read_wide(
    header: list[str], raw: Sequence[str], lines: Iterator[list[str]], table: Table
) -> None:
    text_columns: Columns = {}
    periods: list[tuple[int, str]] = []
    for position, name in enumerate(header, start=1):
        label = str(raw[position - 1]).strip()
        if name in WIDE_TEXT:
            if name in text_columns:
                _header_error(table, position, f"column '{name}' appears twice")
            text_columns[name] = position
        elif _PERIOD_SHAPE.match(label.upper()):
            periods.append((position, label.upper()))
        else:
            shown = label or "(empty)"
            _header_error(
                table,
                position,
                f"'{shown}' is neither measure, name, segment nor a period label "
                "(YYYY-MM, YYYY-Qn, YYYY-Hn, YYYY)",
            )
    if not periods:
        _header_error(table, None, "a wide file needs at least one period column after measure")
    if table.findings:
        return
    measure_col = text_columns["measure"]
    segment_col = text_columns.get("segment")
    layouts = {
        position: {"measure": measure_col, "period": position, "value": position}
        | ({"segment": segment_col} if segment_col else {})
        for position, _ in periods
    }
    for number, row in enumerate(lines, start=2):
        if not any(cell.strip() for cell in row):
            continue
        code = restore(row[measure_col - 1].strip()) if len(row) >= measure_col else ""
        segment = ""
        if segment_col and len(row) >= segment_col:
            segment = restore(row[segment_col - 1].strip())
        for position, label in periods:
            value = row[position - 1].strip() if len(row) >= position else ""
            if not value:
                continue
            cells = {"measure": code, "period": label, "value": value, "segment": segment}
            table.rows.append((number, cells, layouts[position]))
