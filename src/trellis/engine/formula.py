"""The formula language: a tokenizer, a recursive-descent parser and a vectorized evaluator.

User input is never handed to Python's ``eval``. A formula is parsed into a small tree of
frozen nodes; the evaluator walks the tree once per *group* of formulas that share a shape
(the same tree with different measure codes), applying NumPy operations to matrices whose rows
are the group's formulas and whose columns are periods.

Missing values are NaN and propagate through arithmetic. ``sum``, ``avg``, ``min`` and ``max``
skip missing arguments (missing only when all are). Division by zero gives a missing value
and raises the ``DIV_ZERO`` flag; it never raises an exception or produces infinity.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from trellis.engine.flags import FLAG_DIV_ZERO, FLAG_INVALID
from trellis.engine.periods import FloatArray, IntArray

MAX_DEPTH = 64
MAX_LENGTH = 4000

FUNCTIONS: dict[str, tuple[int, int | None]] = {
    # name: (minimum arguments, maximum arguments or None for any number)
    "abs": (1, 1),
    "min": (1, None),
    "max": (1, None),
    "round": (1, 2),
    "sum": (1, None),
    "avg": (1, None),
    "if": (3, 3),
    "coalesce": (1, None),
    "prev": (1, 1),
    "lag": (2, 2),
    "ytd": (1, 1),
    "change": (1, 1),
    "pct_change": (1, 1),
}
KEYWORDS = {"and", "or", "not"}
COMPARISONS = {"<", "<=", ">", ">=", "==", "!="}


class FormulaError(ValueError):
    """A formula that cannot be read, with the 0-based position of the problem."""

    def __init__(self, message: str, text: str, position: int) -> None:
        self.message = message
        self.text = text
        self.position = position
        super().__init__(f"{message} at column {position + 1}\n  {text}\n  {' ' * position}^")


# -- tree --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Number:
    """A numeric literal."""

    value: float


@dataclass(frozen=True)
class Ref:
    """A reference to another measure by code; ``slot`` is its place in a shape."""

    code: str
    position: int


@dataclass(frozen=True)
class Unary:
    """``-x`` or ``not x``."""

    op: str
    operand: Node


@dataclass(frozen=True)
class Binary:
    """An arithmetic, comparison or logical operation."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Call:
    """A function call."""

    name: str
    args: tuple[Node, ...]
    position: int


Node = Number | Ref | Unary | Binary | Call


# -- tokenizer ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Token:
    """One lexical token with its position in the formula text."""

    kind: str  # number, name, op, end
    text: str
    position: int


_OPERATORS = ("<=", ">=", "==", "!=", "+", "-", "*", "/", "^", "(", ")", ",", "<", ">")


def tokenize(text: str) -> list[Token]:
    """Split formula text into tokens; raises :class:`FormulaError` on a stray character."""
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in " \t\r\n":
            i += 1
        elif ch.isascii() and (ch.isdigit() or (ch == "." and text[i + 1 : i + 2].isdigit())):
            j = i
            while j < len(text) and text[j].isascii() and (text[j].isdigit() or text[j] == "."):
                j += 1
            if j < len(text) and text[j] in "eE":
                k = j + 1
                if k < len(text) and text[k] in "+-":
                    k += 1
                if k < len(text) and text[k].isascii() and text[k].isdigit():
                    j = k
                    while j < len(text) and text[j].isascii() and text[j].isdigit():
                        j += 1
            tokens.append(Token("number", text[i:j], i))
            i = j
        elif ch.isascii() and (ch.isalpha() or ch == "_"):
            j = i
            while j < len(text) and text[j].isascii() and (text[j].isalnum() or text[j] == "_"):
                j += 1
            tokens.append(Token("name", text[i:j], i))
            i = j
        else:
            op = next((o for o in _OPERATORS if text.startswith(o, i)), None)
            if op is None:
                raise FormulaError(f"unexpected character {ch!r}", text, i)
            tokens.append(Token("op", op, i))
            i += len(op)
    tokens.append(Token("end", "", len(text)))
    return tokens


# -- parser ------------------------------------------------------------------------------------
class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def error(self, message: str, token: Token | None = None) -> FormulaError:
        return FormulaError(message, self.text, (token or self.tok).position)

    def advance(self) -> Token:
        token = self.tok
        self.i += 1
        return token

    def accept(self, text: str) -> bool:
        if self.tok.kind in ("op", "name") and self.tok.text == text:
            self.i += 1
            return True
        return False

    def expect(self, text: str) -> None:
        if not self.accept(text):
            found = self.tok.text or "end of formula"
            raise self.error(f"expected '{text}' but found '{found}'")

    def parse(self) -> Node:
        if not self.text.strip():
            raise self.error("empty formula")
        node = self.logical_or()
        if self.tok.kind != "end":
            raise self.error(f"unexpected '{self.tok.text}'")
        return node

    def nested(self, parse: Callable[[], Node]) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"formula nests deeper than {MAX_DEPTH} levels")
        try:
            return parse()
        finally:
            self.depth -= 1

    def logical_or(self) -> Node:
        node = self.logical_and()
        while self.accept("or"):
            node = Binary("or", node, self.logical_and())
        return node

    def logical_and(self) -> Node:
        node = self.logical_not()
        while self.accept("and"):
            node = Binary("and", node, self.logical_not())
        return node

    def logical_not(self) -> Node:
        if self.accept("not"):
            return Unary("not", self.nested(self.logical_not))
        return self.comparison()

    def comparison(self) -> Node:
        node = self.additive()
        if self.tok.kind == "op" and self.tok.text in COMPARISONS:
            op = self.advance().text
            node = Binary(op, node, self.additive())
            if self.tok.kind == "op" and self.tok.text in COMPARISONS:
                raise self.error("comparisons cannot be chained; use 'and'")
        return node

    def additive(self) -> Node:
        node = self.multiplicative()
        while self.tok.kind == "op" and self.tok.text in "+-":
            op = self.advance().text
            node = Binary(op, node, self.multiplicative())
        return node

    def multiplicative(self) -> Node:
        node = self.unary()
        while self.tok.kind == "op" and self.tok.text in "*/":
            op = self.advance().text
            node = Binary(op, node, self.unary())
        return node

    def unary(self) -> Node:
        if self.tok.kind == "op" and self.tok.text in "+-":
            op = self.advance().text
            operand = self.nested(self.unary)
            return Unary("-", operand) if op == "-" else operand
        return self.power()

    def power(self) -> Node:
        base = self.primary()
        if self.accept("^"):
            return Binary("^", base, self.nested(self.unary))
        return base

    def primary(self) -> Node:
        token = self.tok
        if token.kind == "number":
            self.advance()
            try:
                value = float(token.text)
            except ValueError:
                raise self.error(f"'{token.text}' is not a number", token) from None
            if not math.isfinite(value):
                raise self.error(f"number '{token.text}' is out of range", token)
            return Number(value)
        if token.kind == "name":
            if token.text in KEYWORDS:
                raise self.error(f"'{token.text}' needs an operand before it", token)
            self.advance()
            if self.accept("("):
                return self.call(token)
            return Ref(token.text, token.position)
        if self.accept("("):
            node = self.nested(self.logical_or)
            self.expect(")")
            return node
        found = token.text or "end of formula"
        raise self.error(f"expected a number, a measure code or '(' but found '{found}'")

    def call(self, name: Token) -> Node:
        fname = name.text.lower()
        if fname not in FUNCTIONS:
            raise self.error(f"unknown function '{name.text}'", name)
        args: list[Node] = []
        if not self.accept(")"):
            while True:
                args.append(self.nested(self.logical_or))
                if self.accept(")"):
                    break
                self.expect(",")
        low, high = FUNCTIONS[fname]
        if len(args) < low or (high is not None and len(args) > high):
            wanted = (
                str(low) if low == high else f"{low} or more" if high is None else f"{low}-{high}"
            )
            raise self.error(f"{fname}() takes {wanted} arguments, got {len(args)}", name)
        if fname == "lag" and not _is_whole_constant(args[1]):
            raise self.error("lag() needs a whole number of periods as its second argument", name)
        return Call(fname, tuple(args), name.position)


def _is_whole_constant(node: Node) -> bool:
    return isinstance(node, Number) and node.value >= 0 and node.value == int(node.value)


def parse(text: str) -> Node:
    """Parse formula text into a tree; raises :class:`FormulaError` with the position."""
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"formula is longer than {MAX_LENGTH} characters", text[:40], 0)
    return _Parser(text).parse()


def references(node: Node) -> list[Ref]:
    """Every measure reference in a tree, in reading order (repeats included)."""
    if isinstance(node, Ref):
        return [node]
    if isinstance(node, Unary):
        return references(node.operand)
    if isinstance(node, Binary):
        return references(node.left) + references(node.right)
    if isinstance(node, Call):
        return [ref for arg in node.args for ref in references(arg)]
    return []


_WORD = re.compile(
    r"(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<call>\s*\()?"
)


def template(text: str) -> tuple[str, list[str]]:
    """The formula with each distinct measure code replaced by a slot name ``_0``, ``_1`` …
    (in order of first appearance), and the codes in slot order.

    Formulas with the same template have the same tree up to their codes, so they are
    parsed once and evaluated together as one vectorized group. Slot names start with an
    underscore, which measure codes never do.
    """
    codes: dict[str, int] = {}

    def slot(match: re.Match[str]) -> str:
        name = match.group("name")
        if name is None or match.group("call") or name in KEYWORDS:
            return match.group(0)
        return f"_{codes.setdefault(name, len(codes))}"

    return _WORD.sub(slot, text), list(codes)


def render(node: Node, names: Sequence[str] | None = None) -> str:
    """The tree back as readable formula text; ``names`` replace slot names by codes."""

    def name(ref: Ref) -> str:
        if names is not None and ref.code.startswith("_") and ref.code[1:].isdigit():
            return names[int(ref.code[1:])]
        return ref.code

    def walk(n: Node) -> str:
        if isinstance(n, Number):
            return f"{n.value:g}"
        if isinstance(n, Ref):
            return name(n)
        if isinstance(n, Unary):
            return f"-{walk(n.operand)}" if n.op == "-" else f"not {walk(n.operand)}"
        if isinstance(n, Binary):
            return f"({walk(n.left)} {n.op} {walk(n.right)})"
        return f"{n.name}({', '.join(walk(a) for a in n.args)})"

    return walk(node)


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
