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
        if measure.code in done:
            return done[measure.code]
        link = measure.cascades_from
        result = measure
        parent = by_code.get(link.measure) if link else None
        if link and link.mode is CascadeMode.IDENTICAL and parent and parent.code not in trail:
            source = resolve(parent, trail | {measure.code})
            update = {k: getattr(source, k) for k in INHERITED if k not in measure.set_fields}
            result = measure.model_copy(update=update)
        done[measure.code] = result
        return result

    return [resolve(m, frozenset()) for m in spec.measures]
