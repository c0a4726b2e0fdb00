"""Data files: CSV and XLSX, long and wide, and what is wrong with bad ones."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from openpyxl import Workbook

from trellis.engine.data_files import column_letter, neutralize, read_table, restore


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def messages(table) -> list[tuple[int | None, int | None, str]]:  # type: ignore[no-untyped-def]
    return [(f.location.line, f.location.column, f.message) for f in table.findings]


def test_column_letters() -> None:
    assert [column_letter(n) for n in (1, 3, 26, 27, 28, 702, 703)] == [
        "A", "C", "Z", "AA", "AB", "ZZ", "AAA",
    ]  # fmt: skip


def test_long_csv_rows_keep_their_line_and_columns() -> None:
    table = read_table(
        "data.csv", b"\xef\xbb\xbfPeriod,Measure,Value,Comment\n2026-01,A,1.5,ok\n\n2026-02,B,2,\n"
    )
    assert table.findings == []
    assert table.layout == "long"
    assert [(line, cells) for line, cells, _ in table.rows] == [
        (2, {"period": "2026-01", "measure": "A", "value": "1.5", "comment": "ok"}),
        (4, {"period": "2026-02", "measure": "B", "value": "2", "comment": ""}),
    ]
    assert table.rows[0][2] == {"period": 1, "measure": 2, "value": 3, "comment": 4}


def test_wide_xlsx_becomes_long_rows_one_per_filled_cell() -> None:
    content = xlsx(
        [
            ["measure", "name", dt.datetime(2026, 1, 1), "2026-02", "2026-Q1"],
            ["A", "Sales", 10, None, 30.25],
            [None, None, None, None, None],
            ["B", "Cost", 5, 6, None],
        ]
    )
    table = read_table("book.xlsx", content)
    assert table.findings == []
    assert table.layout == "wide"
    assert [(line, cells["measure"], cells["period"], cells["value"], cols["value"])
            for line, cells, cols in table.rows] == [
        (2, "A", "2026-01", "10", 3),
        (2, "A", "2026-Q1", "30.25", 5),
        (4, "B", "2026-01", "5", 3),
        (4, "B", "2026-02", "6", 4),
    ]  # fmt: skip


def test_bad_headers_name_their_column() -> None:
    long = read_table("a.csv", b"measure,period,amount\n")
    assert messages(long) == [
        (1, None, "missing column(s) value; the header must be measure,period,value "
                  "(optionally segment, comment)"),
        (1, 3, "column C: unknown column 'amount'; expected measure, period, value, segment, "
               "comment"),
    ]  # fmt: skip
    wide = read_table("w.csv", b"measure,Jan 26,2026-02\nA,1,2\n")
    assert messages(wide) == [
        (1, 2, "column B: 'Jan 26' is neither measure, name, segment nor a period label "
               "(YYYY-MM, YYYY-Qn, YYYY-Hn, YYYY)"),
    ]  # fmt: skip
    assert messages(read_table("x.csv", b"code,amount\n")) == [
        (1, None, "the first row must be a header: measure,period,value (optionally segment, "
                  "comment) or, one column per period, measure followed by period labels"),
    ]  # fmt: skip


def test_files_that_are_not_data() -> None:
    assert messages(read_table("e.csv", b"  \n")) == [(1, None, "the file is empty")]
    assert messages(read_table("b.csv", b"measure\x00\x01")) == [
        (None, None, "not a CSV file (binary content)")
    ]
    broken = read_table("b.xlsx", b"PK\x03\x04 not really a zip")
    assert len(broken.findings) == 1
    assert broken.findings[0].message.startswith("not a readable XLSX workbook (BadZipFile")
    assert messages(read_table("old.xls", b"\xd0\xcf\x11\xe0rest")) == [
        (None, None, "the old .xls format is not read; save the sheet as .xlsx or CSV")
    ]
    assert messages(read_table(Path("/nonexistent/data.csv")))[0][2].startswith("cannot read file:")


def test_extra_cells_beyond_the_header_are_reported() -> None:
    table = read_table("a.csv", b"measure,period,value\nA,2026-01,1,extra\n")
    assert messages(table) == [(2, 4, "row 2: 4 cells but the header has 3 columns")]


def test_formula_injection_is_neutralized_and_restored() -> None:
    for text in ("=SUM(A1)", "+1", "-2", "@cmd", "\tx"):
        assert neutralize(text) == "'" + text
        assert restore(neutralize(text)) == text
    assert neutralize("plain") == "plain"
    assert restore("'quoted") == "'quoted"
    table = read_table("a.csv", b"measure,period,value,comment\nA,2026-01,-3,'=HYPERLINK(x)\n")
    assert table.rows[0][1]["comment"] == "=HYPERLINK(x)"
    assert table.rows[0][1]["value"] == "-3"
