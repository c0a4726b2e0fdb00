"""Bit flags attached to every computed value."""

from __future__ import annotations

FLAG_STALE = 1
"""The value shown is older than the latest period that was due."""
FLAG_PARTIAL = 2
"""Built from fewer periods or contributors than expected."""
FLAG_DIV_ZERO = 4
"""A formula divided by zero; the value is missing."""
FLAG_INVALID = 8
"""A formula produced an invalid number (overflow, negative root); the value is missing."""

FLAG_NAMES = {
    FLAG_STALE: "stale",
    FLAG_PARTIAL: "partial",
    FLAG_DIV_ZERO: "division-by-zero",
    FLAG_INVALID: "invalid-number",
}


def flag_names(bits: int) -> list[str]:
    """Names of the flags set in ``bits``."""
    return [name for bit, name in FLAG_NAMES.items() if bits & bit]
