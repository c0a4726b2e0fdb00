"""Fiscal calendar and period labels."""

from __future__ import annotations

import pytest

from trellis.engine.periods import Calendar, Grain, PeriodError, month_index, month_label


def _span(calendar: Calendar, label: str) -> tuple[str, str, str]:
    period = calendar.parse(label)
    return period.label, month_label(period.start), month_label(period.end)


def test_fiscal_quarters_with_an_april_year() -> None:
    april = Calendar(fiscal_year_start=4)
    assert _span(april, "2026-Q1") == ("2026-Q1", "2025-04", "2025-06")
    assert _span(april, "2026-Q4") == ("2026-Q4", "2026-01", "2026-03")
    assert _span(april, "2026-H2") == ("2026-H2", "2025-10", "2026-03")
    assert _span(april, "2026") == ("2026", "2025-04", "2026-03")
    assert _span(april, "2025-11:YTD") == ("2025-11:YTD", "2025-04", "2025-11")


def test_calendar_year_is_the_default() -> None:
    calendar = Calendar()
    assert _span(calendar, "2026-Q1") == ("2026-Q1", "2026-01", "2026-03")
    assert _span(calendar, "2026") == ("2026", "2026-01", "2026-12")
    assert calendar.period(Grain.QUARTER, month_index(2026, 8)).label == "2026-Q3"


def test_a_month_belongs_to_the_fiscal_year_it_ends_in() -> None:
    july = Calendar(fiscal_year_start=7)
    assert july.fiscal_year_of(month_index(2025, 7)) == 2026
    assert july.fiscal_year_of(month_index(2025, 6)) == 2025
    assert july.period(Grain.QUARTER, month_index(2025, 12)).label == "2026-Q2"


def test_periods_between_two_months() -> None:
    april = Calendar(fiscal_year_start=4)
    labels = [
        p.label for p in april.periods(Grain.QUARTER, month_index(2025, 5), month_index(2026, 3))
    ]
    assert labels == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("2026-13", "'2026-13' has month 13; months run 01-12"),
        (
            "2026-Q5",
            "'2026-Q5' is not a period; expected YYYY-MM, YYYY-Qn, YYYY-Hn, YYYY or YYYY-MM:YTD",
        ),
        (
            "March",
            "'March' is not a period; expected YYYY-MM, YYYY-Qn, YYYY-Hn, YYYY or YYYY-MM:YTD",
        ),
    ],
)
def test_bad_labels_say_what_was_expected(label: str, message: str) -> None:
    with pytest.raises(PeriodError) as caught:
        Calendar().parse(label)
    assert str(caught.value) == message


def test_fiscal_year_start_must_be_a_month() -> None:
    with pytest.raises(PeriodError):
        Calendar(fiscal_year_start=13)


def test_periods_are_described_in_the_fiscal_calendar() -> None:
    april, january = Calendar(4), Calendar(1)

    def described(calendar: Calendar, label: str) -> str:
        return calendar.describe(calendar.parse(label))

    assert [described(april, p) for p in ("2026-Q4", "2026-Q1", "2026-H1", "2026")] == [
        "FY2026 Q4 · Jan–Mar 2026",
        "FY2026 Q1 · Apr–Jun 2025",
        "FY2026 H1 · Apr–Sep 2025",
        "FY2026 · Apr 2025–Mar 2026",
    ]
    assert described(april, "2026-03:YTD") == "FY2026 to date · Apr 2025–Mar 2026"
    assert described(april, "2025-12") == described(january, "2025-12") == "Dec 2025"
    assert [described(january, p) for p in ("2026-Q4", "2026-H1", "2026", "2026-03:YTD")] == [
        "Q4 2026 · Oct–Dec 2026",
        "H1 2026 · Jan–Jun 2026",
        "2026",
        "2026 to date · Jan–Mar 2026",
    ]
