"""Reading stored series for pages: the value of a period, trends and sparklines."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

STATUS_WORDS = {
    "green": _("On target"),
    "amber": _("Near target"),
    "red": _("Off target"),
    "no-data": _("No data"),
    "no-target": _("No target"),
    "unscored": _("Not scored"),
}


@dataclass
class Cell:
    """One object's numbers in the chosen period."""

    score: float | None = None
    status: str = "no-data"
    value: float | None = None
    target: float | None = None
    flags: int = 0
    previous: float | None = None
    history: list[float | None] = field(default_factory=list)

    @property
    def status_word(self) -> str:
        """The status in words (status is never shown by colour alone)."""
        return str(STATUS_WORDS.get(self.status, self.status))

    @property
    def variance(self) -> float | None:
        """Value minus target."""
        if self.value is None or self.target is None:
            return None
        return self.value - self.target

    @property
    def trend(self) -> str:
        """up, down or flat compared with the previous period's score."""
        if self.score is None or self.previous is None:
            return ""
        if abs(self.score - self.previous) < 0.5:
            return "flat"
        return "up" if self.score > self.previous else "down"

    @property
    def stale(self) -> bool:
        """The value is older than the latest period that was due."""
        return bool(self.flags & 1)

    @property
    def partial(self) -> bool:
        """Built from fewer values than expected."""
        return bool(self.flags & 2)


def cell(series: Any, label: str, history: int = 12) -> Cell:
    """The numbers of one stored series in one period (empty when not evaluated)."""
    if series is None or label not in series.periods:
        return Cell()
    i = series.periods.index(label)
    values = getattr(series, "value", None)
    out = Cell(
        score=series.score[i],
        status=series.status[i],
        value=values[i] if values is not None else None,
        target=series.target[i] if hasattr(series, "target") else None,
        flags=series.flags[i] if hasattr(series, "flags") else 0,
        previous=series.score[i - 1] if i > 0 else None,
    )
    source = values if values is not None else series.score
    out.history = source[max(0, i - history + 1) : i + 1]
    return out


def sparkline(points: list[float | None], width: int = 80, height: int = 18) -> str:
    """SVG polyline points for a small trend line (missing values break nothing: skipped)."""
    present = [(i, p) for i, p in enumerate(points) if p is not None]
    if len(present) < 2:
        return ""
    low = min(p for _, p in present)
    high = max(p for _, p in present)
    span = (high - low) or 1.0
    step = width / max(len(points) - 1, 1)
    return " ".join(
        f"{i * step:.1f},{height - 2 - (p - low) / span * (height - 4):.1f}" for i, p in present
    )
