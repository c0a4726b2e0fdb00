"""Vectorized evaluation of formula trees over matrices (rows = formulas of one group,
columns = periods). Missing values are NaN and propagate; ``sum``, ``avg``, ``min`` and
``max`` skip them; division by zero gives NaN with the ``DIV_ZERO`` flag."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from trellis.engine.flags import FLAG_DIV_ZERO, FLAG_INVALID
from trellis.engine.formula.syntax import Binary, Call, Node, Number, Ref, Unary
from trellis.engine.periods import FloatArray, IntArray


# -- evaluation --------------------------------------------------------------------------------
@dataclass(frozen=True)
class TimeAxis:
    """What the time functions need to know about the columns being evaluated."""

    fiscal_year: IntArray
    """Fiscal year of each column; ``ytd`` accumulates within a year."""
    cumulative: bool = False
    """True when the columns already are year-to-date values (``ytd(x)`` is then ``x``)."""


@dataclass
class Evaluation:
    """Values of one formula group and the flags raised while computing them."""

    values: FloatArray
    flags: IntArray


Flags = IntArray | None
"""Flags raised while computing a value (None: none), carried with it so that a value
taken from one branch of ``if`` or ``coalesce`` carries only that branch's flags."""


def _union(*flags: Flags) -> Flags:
    present = [f for f in flags if f is not None]
    if not present:
        return None
    out = present[0]
    for f in present[1:]:
        out = out | f
    return out


def _raise(flags: Flags, mask: np.ndarray, bit: int) -> Flags:
    if not mask.any():
        return flags
    return _union(flags, np.where(mask, bit, 0).astype(np.int64))


def _pick(mask: np.ndarray, yes: Flags, no: Flags) -> Flags:
    """The flags of ``yes`` where ``mask`` holds, else those of ``no``."""
    if yes is None and no is None:
        return None
    zero = np.int64(0)
    return np.where(mask, zero if yes is None else yes, zero if no is None else no)


class _Evaluator:
    def __init__(
        self,
        env: Mapping[str, FloatArray],
        axis: TimeAxis,
        ytd_aggregation: Mapping[str, str],
    ) -> None:
        self.env = env
        self.axis = axis
        self.ytd_aggregation = ytd_aggregation

    def run(self, node: Node) -> tuple[FloatArray, Flags]:
        if isinstance(node, Number):
            return np.asarray(node.value, dtype=np.float64), None
        if isinstance(node, Ref):
            return self.env[node.code], None
        if isinstance(node, Unary):
            value, flags = self.run(node.operand)
            if node.op == "-":
                return -value, flags
            return _logical(value == 0, value), flags
        if isinstance(node, Binary):
            return self.binary(node)
        return self.call(node)

    def binary(self, node: Binary) -> tuple[FloatArray, Flags]:
        (a, fa), (b, fb) = self.run(node.left), self.run(node.right)
        flags = _union(fa, fb)
        missing = np.isnan(a) | np.isnan(b)
        if node.op in ARITHMETIC:
            if node.op == "/":
                zero = (b == 0) & ~missing
                flags = _raise(flags, zero, FLAG_DIV_ZERO)
                missing = missing | zero
                result = np.where(zero, np.nan, a / np.where(b == 0, 1.0, b))
            else:
                result = ARITHMETIC[node.op](a, b)
            # Too large a number (an overflow, or 0 to a negative power) is no number.
            bad = ~np.isfinite(result) & ~missing
            if bad.any():
                return np.where(bad, np.nan, result), _raise(flags, bad, FLAG_INVALID)
            return result, flags
        if node.op in ("and", "or"):
            both = (a != 0) & (b != 0) if node.op == "and" else (a != 0) | (b != 0)
            return _logical(both, a + b), flags
        return _logical(COMPARE[node.op](a, b), a + b), flags

    def call(self, node: Call) -> tuple[FloatArray, Flags]:
        name = node.name
        if name == "if":
            (cond, fc), (yes, fy), (no, fn) = (self.run(a) for a in node.args)
            taken = cond != 0
            value = np.where(np.isnan(cond), np.nan, np.where(taken, yes, no))
            return value, _union(fc, _pick(taken, fy, fn))
        if name in ("prev", "lag", "change", "pct_change"):
            arg, flags = self.run(node.args[0])
            steps = int(node.args[1].value) if name == "lag" else 1  # type: ignore[union-attr]
            before = _shift(arg, steps)
            if name in ("prev", "lag"):
                return before, _shift_flags(flags, steps)
            flags = _union(flags, _shift_flags(flags, steps))
            if name == "change":
                return arg - before, flags
            zero = (before == 0) & ~np.isnan(arg)
            flags = _raise(flags, zero, FLAG_DIV_ZERO)
            return (
                np.where(zero, np.nan, 100.0 * (arg - before) / np.abs(np.where(zero, 1, before))),
                flags,
            )
        if name == "ytd":
            arg, flags = self.run(node.args[0])
            if self.axis.cumulative:
                return arg, flags
            first = node.args[0]
            method = (
                self.ytd_aggregation.get(first.code, "sum") if isinstance(first, Ref) else "sum"
            )
            shape = _shape_of(self.env, arg)
            return _year_to_date(np.broadcast_to(arg, shape), self.axis, method), flags
        evaluated = [self.run(a) for a in node.args]
        values = [v for v, _ in evaluated]
        if name == "abs":
            return np.abs(values[0]), evaluated[0][1]
        if name == "round":
            digits = values[1] if len(values) == 2 else np.asarray(0.0)
            scale = np.power(10.0, np.nan_to_num(digits))
            rounded = np.where(np.isnan(digits), np.nan, np.round(values[0] * scale) / scale)
            return rounded, _union(*(f for _, f in evaluated))
        if name == "coalesce":
            out, flags = evaluated[-1]
            for value, own in reversed(evaluated[:-1]):
                present = ~np.isnan(value)
                out = np.where(present, value, out)
                flags = _pick(present, own, flags)
            return out, flags
        stack = np.stack(np.broadcast_arrays(*values))
        present = ~np.isnan(stack)
        any_present = present.any(axis=0)
        with np.errstate(all="ignore"):
            if name == "sum":
                out = np.where(present, stack, 0).sum(axis=0)
            elif name == "avg":
                out = np.where(present, stack, 0).sum(axis=0) / present.sum(axis=0)
            elif name == "min":
                out = np.where(present, stack, np.inf).min(axis=0)
            else:
                out = np.where(present, stack, -np.inf).max(axis=0)
        # Every argument counts here (a missing one is skipped, not chosen against).
        return np.where(any_present, out, np.nan), _union(*(f for _, f in evaluated))


ARITHMETIC = {
    "+": np.add,
    "-": np.subtract,
    "*": np.multiply,
    "/": np.divide,
    "^": np.power,
}
COMPARE = {
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
    "==": np.equal,
    "!=": np.not_equal,
}


def _shift_flags(flags: Flags, steps: int) -> Flags:
    """Flags move with the values they belong to (``prev``/``lag``)."""
    if flags is None or flags.ndim == 0 or steps == 0:
        return flags
    out = np.zeros(flags.shape, dtype=np.int64)
    if steps < flags.shape[-1]:
        out[..., steps:] = flags[..., :-steps]
    return out


def _logical(mask: np.ndarray, operands: np.ndarray) -> FloatArray:
    return np.where(np.isnan(operands), np.nan, mask.astype(np.float64))


def _shape_of(env: Mapping[str, FloatArray], value: FloatArray) -> tuple[int, ...]:
    for array in env.values():
        return tuple(np.broadcast_shapes(array.shape, value.shape))
    return tuple(value.shape)


def _shift(values: FloatArray, steps: int) -> FloatArray:
    if values.ndim == 0 or steps == 0:
        return values
    out = np.full(values.shape, np.nan)
    if steps < values.shape[-1]:
        out[..., steps:] = values[..., :-steps]
    return out


def _year_to_date(values: FloatArray, axis: TimeAxis, method: str) -> FloatArray:
    """Cumulative aggregation within each fiscal year along the last axis."""
    out = np.full(values.shape, np.nan)
    for year in np.unique(axis.fiscal_year):
        cols = np.flatnonzero(axis.fiscal_year == year)
        block = values[..., cols]
        valid = ~np.isnan(block)
        count = np.cumsum(valid, axis=-1)
        with np.errstate(all="ignore"):
            if method == "average":
                acc = np.cumsum(np.where(valid, block, 0), axis=-1) / count
            elif method == "min":
                acc = np.minimum.accumulate(np.where(valid, block, np.inf), axis=-1)
            elif method == "max":
                acc = np.maximum.accumulate(np.where(valid, block, -np.inf), axis=-1)
            elif method == "last":
                idx = np.maximum.accumulate(
                    np.where(valid, np.arange(block.shape[-1]), -1), axis=-1
                )
                acc = np.take_along_axis(block, np.maximum(idx, 0), axis=-1)
            else:
                acc = np.cumsum(np.where(valid, block, 0), axis=-1)
        out[..., cols] = np.where(count > 0, acc, np.nan)
    return out


def evaluate(
    node: Node,
    env: Mapping[str, FloatArray],
    axis: TimeAxis,
    ytd_aggregation: Mapping[str, str] | None = None,
) -> Evaluation:
    """Evaluate a tree over matrices of input values (all of the same shape).

    ``env`` maps each code (or slot name) to a rows × periods matrix. The result has that
    shape; cells whose computation divided by zero are NaN with ``FLAG_DIV_ZERO`` set.
    """
    evaluator = _Evaluator(env, axis, ytd_aggregation or {})
    with np.errstate(all="ignore"):
        raw, raised = evaluator.run(node)
        shape_ = _shape_of(env, raw)
        values = np.array(np.broadcast_to(raw, shape_), dtype=np.float64)
    bad = ~np.isfinite(values) & ~np.isnan(values)
    flags = (
        np.zeros(shape_, dtype=np.int64)
        if raised is None
        else np.array(np.broadcast_to(raised, shape_), dtype=np.int64)
    )
    if bad.any():
        flags |= np.where(bad, FLAG_INVALID, 0)
        values[bad] = np.nan
    return Evaluation(values, flags)
