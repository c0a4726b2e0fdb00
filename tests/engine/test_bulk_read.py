"""Reading a long CSV as arrays gives exactly what reading it row by row gives: the same
findings, word for word and place for place, and the same observations."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.engine.test_evaluate import CARD
from trellis.engine.api import Scorecard
from trellis.engine.bulk_read import read_long_csv
from trellis.engine.data_files import read_table
from trellis.engine.observations import StoredObservations, validate


def _both(card: Scorecard, path: Path) -> tuple[object, object]:
    c = card.compiled
    bulk = read_long_csv(path, c.by_code, c.measure_index, c.calendar)
    assert bulk is not None
    table = read_table(path)
    valid, found = validate(table.rows, c.by_code, c.calendar, str(path))
    return bulk, (StoredObservations.of(valid, c.measure_index), table.findings + found)


def _rows(stored: StoredObservations) -> list[tuple[int, int, float, bool]]:
    return sorted(
        zip(
            stored.rows.tolist(),
            stored.end_months.tolist(),
            stored.values.tolist(),
            stored.segmented.tolist(),
            strict=True,
        )
    )


def _same(card: Scorecard, path: Path) -> None:
    bulk, (stored, found) = _both(card, path)
    assert bulk.findings == found  # type: ignore[attr-defined]
    if not found:
        assert _rows(bulk.stored) == _rows(stored)  # type: ignore[attr-defined]
        assert bulk.count == len(stored.values)  # type: ignore[attr-defined]


PROBLEMS = """measure,period,value,segment,comment
REV_E,2025-04,40,,
NOPE,2025-04,1,,
REV_E,2025-13,1,,
REV_E,2025-05,abc,,
REV_E,2025-04,41,,
SHARE,2025-04,3,,
REV,2025-04,5,,
REV_E,2025-06,inf,,
REV_E,2025-07,1_000,,
REV_E,2025-08,"1,2",,
REV_E,2025-09,"1,234.5",,
REV_E,2025-10,2e16,,
REV_E,2025-11,١٢٣,,

 REV_W , 2025-04 , 7 ,,
REV_W,2025-05,1,,,extra
REV_W,2025-06
'=NOPE,2025-04,1,,
NPS_E,2025-04,30,north,
NPS_E,2025-04,40,south,
NPS_E,2025-04,41,north,
,2025-04,1,,
REV_W,,3,,
REV_W,2025-07,,,
"""


@pytest.fixture
def card(card_of) -> Scorecard:  # type: ignore[no-untyped-def]
    return card_of(CARD)  # type: ignore[no-any-return]


def test_every_problem_is_found_as_the_row_reader_finds_it(card: Scorecard, tmp_path: Path) -> None:
    path = tmp_path / "problems.csv"
    path.write_text(PROBLEMS, encoding="utf-8")
    bulk, (_stored, found) = _both(card, path)
    assert bulk.findings == found  # type: ignore[attr-defined]
    assert [(f.location.line, f.location.column) for f in found] == [  # type: ignore[attr-defined]
        (17, 6),  # the file's shape first: a row with more cells than the header
        *[(3, 1), (4, 2), (5, 3), (6, 2), (7, 2), (8, 1), (9, 3), (10, 3), (11, 3)],
        *[(13, 3), (14, 3), (18, 3), (19, 1), (22, 2), (23, 1), (24, 2), (25, 3)],
    ]


def test_a_clean_file_gives_the_same_observations(card: Scorecard, tmp_path: Path) -> None:
    path = tmp_path / "clean.csv"
    lines = ["measure,period,value,segment"]
    for month in range(4, 13):
        lines += [f"REV_E,2025-{month:02d},{month * 10.5}", f"REV_W,2025-{month:02d},{month}"]
        lines += [
            f"NPS_E,2025-{month:02d},{month},north",
            f"NPS_E,2025-{month:02d},{month + 1},south",
        ]
    lines += ["SHARE,2026-Q1,12", 'COST,2025-04,"1,234.25"']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _same(card, path)
    stored = card.read_stored(path)
    assert len(stored.values) == 38
    assert stored.values[stored.rows == card.compiled.measure_index["COST"]].tolist() == [1234.25]


CODES = st.sampled_from(["REV_E", "REV_W", "NPS_E", "SHARE", "REV", "NOPE", "", " REV_E"])
PERIODS = st.sampled_from(["2025-04", "2025-05", "2026-Q1", "2025-13", "", "2025", "x"])
VALUES = st.sampled_from(["1", "2.5", "-3", "1e3", "abc", "", "inf", "1,000", "1_0", " 4 "])
SEGMENTS = st.sampled_from(["", "", "north", "south"])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(CODES, PERIODS, VALUES, SEGMENTS), max_size=30))
def test_any_file_reads_the_same_both_ways(
    card: Scorecard, tmp_path: Path, rows: list[tuple[str, str, str, str]]
) -> None:
    path = tmp_path / "any.csv"
    text = "measure,period,value,segment\n" + "".join(f'{c},{p},"{v}",{s}\n' for c, p, v, s in rows)
    path.write_text(text, encoding="utf-8")
    _same(card, path)
