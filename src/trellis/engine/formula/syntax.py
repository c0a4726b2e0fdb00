"""Formula syntax: tokens, the recursive-descent parser, the tree, templates and rendering.

User input is never handed to Python's ``eval``: text becomes a small tree of frozen nodes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

MAX_DEPTH = 64
"""Parentheses, unary operators and function calls inside one another."""
MAX_CHAIN = 200
"""Levels of the parsed tree, counting each operator of a chain such as ``A + B + C``: every
walk over a tree (evaluation, references, rendering, explanations) stays far inside
Python's recursion limit, whatever the formula. Long lists are written ``sum(A, B, …)``."""
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
        self.levels: dict[int, int] = {}  # id of a node made here → operations deep

    def made(self, node: Node, token: Token) -> Node:
        """``node`` (just built at ``token``), refused when its tree gets too deep."""
        parts = children(node)
        level = 1 + max((self.levels.get(id(p), 0) for p in parts), default=0)
        if level > MAX_CHAIN:
            raise self.error(
                f"formula chains more than {MAX_CHAIN} operations; add long lists with sum(...)",
                token,
            )
        self.levels[id(node)] = level
        return node

    def joined(self, op: Token, left: Node, right: Node) -> Node:
        return self.made(Binary(op.text, left, right), op)

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
        while self.tok.text == "or" and self.tok.kind == "name":
            op = self.advance()
            node = self.joined(op, node, self.logical_and())
        return node

    def logical_and(self) -> Node:
        node = self.logical_not()
        while self.tok.text == "and" and self.tok.kind == "name":
            op = self.advance()
            node = self.joined(op, node, self.logical_not())
        return node

    def logical_not(self) -> Node:
        if self.tok.text == "not" and self.tok.kind == "name":
            op = self.advance()
            return self.made(Unary("not", self.nested(self.logical_not)), op)
        return self.comparison()

    def comparison(self) -> Node:
        node = self.additive()
        if self.tok.kind == "op" and self.tok.text in COMPARISONS:
            op = self.advance()
            node = self.joined(op, node, self.additive())
            if self.tok.kind == "op" and self.tok.text in COMPARISONS:
                raise self.error("comparisons cannot be chained; use 'and'")
        return node

    def additive(self) -> Node:
        node = self.multiplicative()
        while self.tok.kind == "op" and self.tok.text in "+-":
            op = self.advance()
            node = self.joined(op, node, self.multiplicative())
        return node

    def multiplicative(self) -> Node:
        node = self.unary()
        while self.tok.kind == "op" and self.tok.text in "*/":
            op = self.advance()
            node = self.joined(op, node, self.unary())
        return node

    def unary(self) -> Node:
        if self.tok.kind == "op" and self.tok.text in "+-":
            op = self.advance()
            operand = self.nested(self.unary)
            return self.made(Unary("-", operand), op) if op.text == "-" else operand
        return self.power()

    def power(self) -> Node:
        base = self.primary()
        if self.tok.kind == "op" and self.tok.text == "^":
            op = self.advance()
            return self.joined(op, base, self.nested(self.unary))
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
        return self.made(Call(fname, tuple(args), name.position), name)


def children(node: Node) -> tuple[Node, ...]:
    """The nodes directly under ``node``."""
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Call):
        return node.args
    return ()


def _is_whole_constant(node: Node) -> bool:
    return isinstance(node, Number) and node.value >= 0 and node.value == int(node.value)


@lru_cache(maxsize=1 << 18)
def parse(text: str) -> Node:
    """Parse formula text into a tree; raises :class:`FormulaError` with the position.
    Trees are immutable, so each text is parsed once however often it is asked for (the
    checks, the compiler and explanations all read the same formulas)."""
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


def codes_of(text: str) -> list[str]:
    """The distinct measure codes a formula names, in order of first appearance; raises
    :class:`FormulaError` exactly as :func:`parse` does for the text.

    Its template is parsed instead of the text: thousands of formulas share a handful of
    templates, so this parses each shape once (a text that fails is parsed itself, for the
    error's own position)."""
    if len(text) > MAX_LENGTH:
        parse(text)  # raises
    shape, codes = template(text)
    try:
        parse(shape)
    except FormulaError:
        parse(text)  # the error as the text has it (cannot succeed where its shape failed)
        raise
    return codes


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
