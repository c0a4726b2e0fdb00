"""What a definition refers to: every code a measure names, with the key that names it.

One list serves everyone who must follow references: the web app confines an editor's
change to what they may see by checking each of these, so a reference added to the
definitions later is confined as soon as it is listed here.
"""

from __future__ import annotations

from dataclasses import dataclass

from trellis.engine import formula as fx
from trellis.engine.spec import Measure


@dataclass(frozen=True)
class Reference:
    """A code named by a definition: the key naming it, what kind of object it names, the
    code, and what of the key's value must stay the same for the reference to be the same
    one (``setting``: the whole value of the key as written)."""

    key: str
    kind: str  # "objective" | "measure"
    code: str
    setting: str


def measure_references(m: Measure) -> list[Reference]:
    """Every objective and measure that measure ``m`` names: its objective, the measures of
    its formula (in reading order, each once; none when the formula does not parse), the
    measure it cascades from and the weight measure of its roll-up."""
    found = [Reference("objective", "objective", m.objective, m.objective)]
    if m.formula:
        try:
            codes = dict.fromkeys(fx.codes_of(m.formula))
        except fx.FormulaError:
            codes = {}
        found += [Reference("formula", "measure", code, m.formula) for code in codes]
    if m.cascades_from is not None:
        link = m.cascades_from
        setting = f"{link.measure} {link.mode.value}"
        found.append(Reference("cascades_from", "measure", link.measure, setting))
    if m.rollup is not None and m.rollup.weight_measure:
        weight = m.rollup.weight_measure
        found.append(Reference("rollup.weight_measure", "measure", weight, weight))
    return found
