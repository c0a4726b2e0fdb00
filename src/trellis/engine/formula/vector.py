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
        self.flags: IntArray | None = None

    def flag(self, mask: np.ndarray, bit: int) -> None:
        if not mask.any():
            return
        add = np.where(mask, bit, 0).astype(np.int64)
        self.flags = add if self.flags is None else self.flags | add

    def run(self, node: Node) -> FloatArray:
        if isinstance(node, Number):
            return np.asarray(node.value, dtype=np.float64)
        if isinstance(node, Ref):
            return self.env[node.code]
        if isinstance(node, Unary):
            value = self.run(node.operand)
            if node.op == "-":
                return -value
            return _logical(value == 0, value)
        if isinstance(node, Binary):
            return self.binary(node)
        return self.call(node)

    def binary(self, node: Binary) -> FloatArray:
        a, b = self.run(node.left), self.run(node.right)
        missing = np.isnan(a) | np.isnan(b)
        if node.op == "+":
            return a + b
        if node.op == "-":
            return a - b
        if node.op == "*":
            return a * b
        if node.op == "/":
            zero = (b == 0) & ~missing
            self.flag(zero, FLAG_DIV_ZERO)
            return np.where(zero, np.nan, a / np.where(b == 0, 1.0, b))
        if node.op == "^":
            result = np.power(a, b)
            bad = ~np.isfinite(result) & ~missing
            self.flag(bad, FLAG_INVALID)
            return np.where(bad, np.nan, result)
        if node.op in ("and", "or"):
            both = (a != 0) & (b != 0) if node.op == "and" else (a != 0) | (b != 0)
            return _logical(both, a + b)
        compare = {
            "<": np.less,
            "<=": np.less_equal,
            ">": np.greater,
            ">=": np.greater_equal,
            "==": np.equal,
            "!=": np.not_equal,
        }[node.op]
        return _logical(compare(a, b), a + b)

    def call(self, node: Call) -> FloatArray:
        name = node.name
        if name == "if":
            cond, yes, no = (self.run(a) for a in node.args)
            return np.where(np.isnan(cond), np.nan, np.where(cond != 0, yes, no))
        if name in ("prev", "lag", "change", "pct_change"):
            arg = self.run(node.args[0])
            steps = int(node.args[1].value) if name == "lag" else 1  # type: ignore[union-attr]
            before = _shift(arg, steps)
            if name in ("prev", "lag"):
                return before
            if name == "change":
                return arg - before
            zero = (before == 0) & ~np.isnan(arg)
            self.flag(zero, FLAG_DIV_ZERO)
            return np.where(
                zero, np.nan, 100.0 * (arg - before) / np.abs(np.where(zero, 1, before))
            )
        if name == "ytd":
            arg = self.run(node.args[0])
            if self.axis.cumulative:
                return arg
            first = node.args[0]
            method = (
                self.ytd_aggregation.get(first.code, "sum") if isinstance(first, Ref) else "sum"
            )
            return _year_to_date(np.broadcast_to(arg, _shape_of(self.env, arg)), self.axis, method)
        values = [self.run(a) for a in node.args]
        if name == "abs":
            return np.abs(values[0])
        if name == "round":
            digits = values[1] if len(values) == 2 else np.asarray(0.0)
            scale = np.power(10.0, np.nan_to_num(digits))
            return np.where(np.isnan(digits), np.nan, np.round(values[0] * scale) / scale)
        if name == "coalesce":
            out = values[-1]
            for value in reversed(values[:-1]):
                out = np.where(np.isnan(value), out, value)
            return out
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
        return np.where(any_present, out, np.nan)


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
        raw = evaluator.run(node)
        shape_ = _shape_of(env, raw)
        values = np.array(np.broadcast_to(raw, shape_), dtype=np.float64)
    bad = ~np.isfinite(values) & ~np.isnan(values)
    flags = (
        np.zeros(shape_, dtype=np.int64)
        if evaluator.flags is None
        else np.array(np.broadcast_to(evaluator.flags, shape_))
    )
    if bad.any():
        flags |= np.where(bad, FLAG_INVALID, 0)
        values[bad] = np.nan
    return Evaluation(values, flags)
