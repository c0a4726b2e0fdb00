"""The result matrices of one grain, and sparse storage for rarely-set target levels."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from trellis.engine.periods import FloatArray, Grain, IntArray, Period

FlagArray = npt.NDArray[np.uint8]
StatusArray = npt.NDArray[np.int8]


@dataclass
class RowSubset:
    """A rows × periods matrix kept only for the measures that have the level at all
    (most measures have no minimum, stretch or baseline)."""

    rows: IntArray
    position: IntArray  # measure row → position in ``values`` (-1 when absent)
    values: FloatArray

    @classmethod
    def empty(cls, present: npt.NDArray[np.bool_], periods: int) -> RowSubset:
        """An all-missing matrix for the rows where ``present`` is true."""
        rows = np.flatnonzero(present)
        position = np.full(present.size, -1, dtype=np.int64)
        position[rows] = np.arange(rows.size)
        return cls(rows, position, np.full((rows.size, periods), np.nan))

    def take(self, rows: IntArray | slice) -> FloatArray:
        """Values of measure rows (missing where the level is not set)."""
        pos = self.position[rows]
        out = np.full((pos.size, self.values.shape[1]), np.nan)
        has = pos >= 0
        out[has] = self.values[pos[has]]
        return out

    def put(self, rows: IntArray, values: FloatArray) -> None:
        """Store values of measure rows (rows without the level are ignored)."""
        pos = self.position[rows]
        has = pos >= 0
        self.values[pos[has]] = values[has]

    def set(self, row: int, col: int, value: float) -> None:
        """Store one value."""
        pos = self.position[row]
        if pos >= 0:
            self.values[pos, col] = value


@dataclass
class GrainResult:
    """Every number of one grain: rows are measures/objectives/sections/units, columns periods."""

    grain: Grain
    periods: list[Period]
    value: FloatArray
    flags: FlagArray
    target: FloatArray
    minimum: RowSubset
    stretch: RowSubset
    baseline: RowSubset
    score: FloatArray
    status: StatusArray
    objective_score: FloatArray
    objective_status: StatusArray
    section_score: FloatArray
    section_status: StatusArray
    unit_score: FloatArray
    unit_status: StatusArray

    def column(self, label: str) -> int:
        """Column of a period label in this grain (raises KeyError)."""
        for i, period in enumerate(self.periods):
            if period.label == label:
                return i
        raise KeyError(label)

    def level(self, name: str, rows: IntArray) -> FloatArray:
        """Values of a target level (``target``, ``minimum``, ``stretch``, ``baseline``)."""
        if name == "target":
            return self.target[rows]
        subset: RowSubset = getattr(self, name)
        return subset.take(rows)

    def put_level(self, name: str, rows: IntArray, values: FloatArray) -> None:
        """Store values of a target level."""
        if name == "target":
            self.target[rows] = values
        else:
            getattr(self, name).put(rows, values)


def new_result(
    grain: Grain,
    periods: list[Period],
    size: int,
    objectives: int,
    sections: int,
    units: int,
    sparse: dict[str, npt.NDArray[np.bool_]],
) -> GrainResult:
    """Matrices for one grain. The measure matrices are left uninitialized: a full
    evaluation writes every row of them."""
    t = len(periods)

    def blank(n: int) -> FloatArray:
        return np.empty((n, t))

    def nan(n: int) -> FloatArray:
        return np.full((n, t), np.nan)

    def codes(n: int) -> StatusArray:
        return np.zeros((n, t), np.int8)

    return GrainResult(
        grain=grain,
        periods=periods,
        value=blank(size),
        flags=np.zeros((size, t), np.uint8),
        target=blank(size),
        minimum=RowSubset.empty(sparse["minimum"], t),
        stretch=RowSubset.empty(sparse["stretch"], t),
        baseline=RowSubset.empty(sparse["baseline"], t),
        score=blank(size),
        status=codes(size),
        objective_score=nan(objectives),
        objective_status=codes(objectives),
        section_score=nan(sections),
        section_status=codes(sections),
        unit_score=nan(units),
        unit_status=codes(units),
    )


def ranges(ptr: IntArray, owners: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """Positions of the items of ``owners`` in a CSR layout, the owners that have items, and
    the offset where each of those owners' items start in the positions."""
    counts = ptr[owners + 1] - ptr[owners]
    keep = counts > 0
    owners, counts = owners[keep], counts[keep]
    ends = np.cumsum(counts)
    starts = ends - counts
    positions = np.repeat(ptr[owners] - starts, counts) + np.arange(
        int(ends[-1]) if ends.size else 0
    )
    return positions.astype(np.int64), owners, starts.astype(np.int64)
