"""Fiscal calendar, period labels, frequencies and aggregation over time.

Months are the base grain. A month is an integer index ``year * 12 + (month - 1)`` of the
*calendar*; fiscal periods (quarters, halves, years) are blocks of months aligned on the
organization's ``fiscal_year_start``. A fiscal year is named by the calendar year in which it
ends, so with ``fiscal_year_start = 4`` the year ``2026`` runs April 2025 to March 2026 and
``2026-Q1`` is April to June 2025.

Labels: ``2026-03`` (calendar month), ``2026-Q1``, ``2026-H1``, ``2026`` (fiscal year) and
``2026-03:YTD`` (fiscal year start to the end of that month).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


class PeriodError(ValueError):
    """A period label that cannot be read, with the reason."""


class Frequency(StrEnum):
    """How often a measure reports: once per period of this length."""

    MONTH = "month"
    QUARTER = "quarter"
    HALF = "half"
    YEAR = "year"

    @property
    def months(self) -> int:
        """Length of one period of this frequency, in months."""
        return _FREQUENCY_MONTHS[self]


_FREQUENCY_MONTHS = {
    Frequency.MONTH: 1,
    Frequency.QUARTER: 3,
    Frequency.HALF: 6,
    Frequency.YEAR: 12,
}


class Grain(StrEnum):
    """The kinds of period a result can be asked for."""

    MONTH = "month"
    QUARTER = "quarter"
    HALF = "half"
    YEAR = "year"
    YTD = "ytd"

    @property
    def months(self) -> int:
        """Block length in months (YTD windows grow; their block is the fiscal year)."""
        return 12 if self is Grain.YTD else Frequency(self.value).months


class Aggregation(StrEnum):
    """How values of shorter periods combine into a longer one."""

    SUM = "sum"
    AVERAGE = "average"
    LAST = "last"
    MIN = "min"
    MAX = "max"


@dataclass(frozen=True, order=True)
class Period:
    """One period: its grain and the inclusive range of month indices it covers."""

    grain: Grain
    start: int
    end: int
    label: str

    def __str__(self) -> str:
        return self.label


_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$")
_HALF_RE = re.compile(r"^(\d{4})-H([12])$")
_YEAR_RE = re.compile(r"^(\d{4})$")
_YTD_RE = re.compile(r"^(\d{4})-(\d{2}):YTD$")


def month_index(year: int, month: int) -> int:
    """Calendar (year, month 1-12) → month index."""
    return year * 12 + (month - 1)


def month_label(index: int) -> str:
    """Month index → ``YYYY-MM``."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@dataclass(frozen=True)
class Calendar:
    """The fiscal calendar of one organization."""

    fiscal_year_start: int = 1

    def __post_init__(self) -> None:
        if not 1 <= self.fiscal_year_start <= 12:
            raise PeriodError(f"fiscal_year_start must be 1-12, got {self.fiscal_year_start}")

    # -- fiscal arithmetic -------------------------------------------------------------------
    def fiscal_year_of(self, month: int) -> int:
        """The fiscal year (named by the calendar year it ends in) containing a month index."""
        shift = self.fiscal_year_start - 1
        return (month - shift) // 12 + (1 if shift else 0)

    def fiscal_year_first_month(self, fiscal_year: int) -> int:
        """Month index of the first month of a fiscal year."""
        shift = self.fiscal_year_start - 1
        return (fiscal_year - (1 if shift else 0)) * 12 + shift

    def fiscal_month_of(self, months: IntArray) -> IntArray:
        """0-based position of each month inside its fiscal year (vectorized)."""
        return np.asarray((months - (self.fiscal_year_start - 1)) % 12, dtype=np.int64)

    def block_end(self, month: int, length: int) -> int:
        """Last month of the fiscal block of ``length`` months that contains ``month``."""
        pos = (month - (self.fiscal_year_start - 1)) % 12
        return month - pos % length + length - 1

    # -- labels ------------------------------------------------------------------------------
    def period(self, grain: Grain, month: int) -> Period:
        """The period of a grain that contains (for YTD: ends at) a month index."""
        fy = self.fiscal_year_of(month)
        if grain is Grain.MONTH:
            return Period(grain, month, month, month_label(month))
        if grain is Grain.YTD:
            start = self.fiscal_year_first_month(fy)
            return Period(grain, start, month, f"{month_label(month)}:YTD")
        end = self.block_end(month, grain.months)
        start = end - grain.months + 1
        number = (end - self.fiscal_year_first_month(fy)) // grain.months + 1
        suffix = {Grain.QUARTER: f"-Q{number}", Grain.HALF: f"-H{number}", Grain.YEAR: ""}
        return Period(grain, start, end, f"{fy:04d}{suffix[grain]}")

    def parse(self, label: str) -> Period:
        """Read a period label; raises :class:`PeriodError` saying what was expected."""
        text = label.strip()
        if m := _MONTH_RE.match(text):
            return self.period(Grain.MONTH, _checked_month(text, m))
        if m := _YTD_RE.match(text):
            return self.period(Grain.YTD, _checked_month(text, m))
        for regex, grain in ((_QUARTER_RE, Grain.QUARTER), (_HALF_RE, Grain.HALF)):
            if m := regex.match(text):
                fy, number = int(m.group(1)), int(m.group(2))
                end = self.fiscal_year_first_month(fy) + number * grain.months - 1
                return self.period(grain, end)
        if m := _YEAR_RE.match(text):
            return self.period(Grain.YEAR, self.fiscal_year_first_month(int(m.group(1))) + 11)
        raise PeriodError(
            f"'{label}' is not a period; expected YYYY-MM, YYYY-Qn, YYYY-Hn, YYYY or YYYY-MM:YTD"
        )

    def periods(self, grain: Grain, first_month: int, last_month: int) -> list[Period]:
        """Every period of a grain that ends inside ``[first_month, last_month]``."""
        out: list[Period] = []
        step = 1 if grain in (Grain.MONTH, Grain.YTD) else grain.months
        month = first_month if step == 1 else self.block_end(first_month, step)
        while month <= last_month:
            out.append(self.period(grain, month))
            month += step
        return out

    def describe(self, period: Period) -> str:
        """A period as people read it, its fiscal year named and its months spelled out:
        ``FY2026 Q4 · Jan–Mar 2026`` (fiscal year from April), ``Q1 2026 · Jan–Mar 2026``
        (calendar year), ``FY2026 to date · Apr 2025–Mar 2026``, ``Mar 2026``."""
        months = _month_span(period.start, period.end)
        if period.grain is Grain.MONTH:
            return months
        fiscal = self.fiscal_year_start != 1
        year = self.fiscal_year_of(period.end)
        named = f"FY{year}" if fiscal else str(year)
        if period.grain is Grain.YEAR:
            return f"{named} · {months}" if fiscal else named
        if period.grain is Grain.YTD:
            return f"{named} to date · {months}"
        part = period.label.rsplit("-", 1)[1]  # Q4, H1
        return f"{named} {part} · {months}" if fiscal else f"{part} {year} · {months}"

    def fiscal_years_span(self, first_month: int, last_month: int) -> tuple[int, int]:
        """Widen a month range to whole fiscal years."""
        start = self.fiscal_year_first_month(self.fiscal_year_of(first_month))
        return start, self.block_end(last_month, 12)


MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _month_span(first: int, last: int) -> str:
    """``Mar 2026``, ``Jan–Mar 2026`` or ``Apr 2025–Mar 2026``."""

    def name(month: int) -> str:
        return MONTH_NAMES[month % 12]

    if first == last:
        return f"{name(last)} {last // 12}"
    if first // 12 == last // 12:
        return f"{name(first)}–{name(last)} {last // 12}"
    return f"{name(first)} {first // 12}–{name(last)} {last // 12}"


def _checked_month(text: str, match: re.Match[str]) -> int:
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise PeriodError(f"'{text}' has month {month:02d}; months run 01-12")
    return month_index(year, month)


def grain_of_frequency(frequency: Frequency) -> Grain:
    """The grain whose periods are a frequency's native periods."""
    return Grain(frequency.value)
