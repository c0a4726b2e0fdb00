"""Settings that ``identical`` cascades inherit from the measure they cascade from."""

from __future__ import annotations

from trellis.engine.spec import CascadeMode, Measure, ScorecardSpec

INHERITED = (
    "unit_of_measure",
    "polarity",
    "aggregation",
    "scoring",
    "frequency",
    "decimals",
    "kind",
)
"""Keys an ``identical`` measure takes from its parent unless it sets them itself."""


def resolved_measures(spec: ScorecardSpec) -> list[Measure]:
    """The measures with inherited settings filled in (parents before children)."""
    by_code = {m.code: m for m in spec.measures}
    done: dict[str, Measure] = {}

    def resolve(measure: Measure, trail: frozenset[str]) -> Measure:
        link = measure.cascades_from
        if link is None or link.mode is not CascadeMode.IDENTICAL:
            return measure  # nothing inherited (most measures)
        if measure.code in done:
            return done[measure.code]
        result = measure
        parent = by_code.get(link.measure)
        if parent and parent.code not in trail:
            source = resolve(parent, trail | {measure.code})
            update = {k: getattr(source, k) for k in INHERITED if k not in measure.set_fields}
            result = measure.model_copy(update=update)
        done[measure.code] = result
        return result

    nothing: frozenset[str] = frozenset()
    return [resolve(m, nothing) for m in spec.measures]
