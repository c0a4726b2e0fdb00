"""Shared field types of the definitions."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

CODE_PATTERN = r"^[A-Za-z][A-Za-z0-9_]*$"

Code = Annotated[str, Field(pattern=CODE_PATTERN, max_length=64)]
"""A code: letters, digits and underscores, starting with a letter (usable in formulas)."""

Weight = Annotated[float, Field(allow_inf_nan=False)]
"""A relative weight; negative or all-zero weights are reported by the checks."""
