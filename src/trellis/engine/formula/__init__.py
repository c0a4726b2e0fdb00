"""The formula language: a tokenizer, a recursive-descent parser and a vectorized evaluator.

User input is never handed to Python's ``eval``. A formula is parsed into a small tree of
frozen nodes; the evaluator walks the tree once per *group* of formulas that share a shape
(the same tree with different measure codes), applying NumPy operations to matrices whose rows
are the group's formulas and whose columns are periods.

Missing values are NaN and propagate through arithmetic. ``sum``, ``avg``, ``min`` and ``max``
skip missing arguments (missing only when all are). Division by zero gives a missing value
and raises the ``DIV_ZERO`` flag; it never raises an exception or produces infinity.
"""

from trellis.engine.formula.syntax import (
    COMPARISONS,
    FUNCTIONS,
    KEYWORDS,
    MAX_CHAIN,
    MAX_DEPTH,
    MAX_LENGTH,
    Binary,
    Call,
    FormulaError,
    Node,
    Number,
    Ref,
    Token,
    Unary,
    codes_of,
    parse,
    references,
    render,
    template,
    tokenize,
)
from trellis.engine.formula.vector import Evaluation, TimeAxis, evaluate

__all__ = [
    "COMPARISONS",
    "FUNCTIONS",
    "KEYWORDS",
    "MAX_CHAIN",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "Binary",
    "Call",
    "Evaluation",
    "FormulaError",
    "Node",
    "Number",
    "Ref",
    "TimeAxis",
    "Token",
    "Unary",
    "codes_of",
    "evaluate",
    "parse",
    "references",
    "render",
    "template",
    "tokenize",
]
