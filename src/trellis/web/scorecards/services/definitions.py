"""Definitions: scorecard YAML ⇄ database, lossless, and the checks on what is stored."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from trellis.engine import collector
from trellis.engine.checks import run_checks
from trellis.engine.findings import Finding, ScorecardError, Severity, error, has_errors
from trellis.engine.key_sets import KeySets
from trellis.engine.loading import load_measure, load_spec
from trellis.engine.references import measure_references
from trellis.engine.spec import Measure as MeasureSpec
from trellis.engine.spec import Objective as ObjectiveSpec
from trellis.engine.spec import Organization as OrganizationSpec
from trellis.engine.spec import ScorecardSpec
from trellis.engine.spec import Unit as UnitSpec
from trellis.web.core.quiet import bulk_changes
from trellis.web.core.roles import Action
from trellis.web.scorecards.models import Link, Measure, Objective, Organization, Unit
from trellis.web.scorecards.services.scope import Scope, redact, scope_of


def _plain(data: Any) -> Any:
    """Drop the loader's bookkeeping (locations) from a dumped definition."""
    if isinstance(data, dict):
        return {k: _plain(v) for k, v in data.items() if k not in ("location", "set_fields")}
    if isinstance(data, list):
        return [_plain(v) for v in data]
    return data


def _dump(model: Any, keep: Iterable[str] | None = None) -> dict[str, Any]:
    data = model.model_dump(mode="json", by_alias=True, exclude_defaults=keep is None)
    if keep is not None:
        wanted = set(keep)
        data = {k: v for k, v in data.items() if k in wanted}
    return dict(_plain(data))


def _measure_definition(m: MeasureSpec) -> dict[str, Any]:
    return _dump(m, keep=m.set_fields)


def import_scorecard(path: str | Path) -> list[Finding]:
    """Replace the stored definitions with a scorecard file or folder.

    Raises :class:`ScorecardError` (with every finding) when the scorecard has errors, or
    when it would delete a measure that has data. Returns the warnings and infos.
    """
    loaded = load_spec(path)
    findings = list(loaded.findings)
    if loaded.spec is not None:
        findings += run_checks(loaded.spec)
    if loaded.spec is None or has_errors(findings):
        raise ScorecardError(findings)
    store_spec(loaded.spec)
    return findings


class DefinitionRefused(ScorecardError):
    """A changed definition that is not saved, with every finding that refuses it."""


def update_measure(code: str, text: str, user: Any = None) -> list[Finding]:
    """Replace one stored measure's definition with ``text`` (its YAML form), after checking
    the whole scorecard with the change. Raises :class:`ScorecardError` with every finding
    when the text or the changed scorecard has errors; returns the warnings of the measure.
    The save is recorded in the history and recomputes the results. Raises
    :class:`DefinitionRefused` when the change is not saved.

    A ``user`` restricted to part of the organization (None: the installation's authority)
    may only name what they may see and move the measure to an objective they edit; a
    reference to something hidden from them is refused like one to a code that does not
    exist, unless the stored definition already had it in the same key unchanged. What they
    are told names nothing outside their scope."""
    stored = Measure.objects.select_related("objective").get(code=code)
    measure, findings = load_measure(text, f"measure {code}", stored.objective.code)
    if measure is not None and measure.code != code:
        findings.append(
            error("code-changed", f"the code is {code}; it cannot change here", measure.code)
        )
    scope = scope_of(user)
    if measure is not None and scope is not None:
        before = MeasureSpec.model_validate(stored.definition)
        findings += _outside_scope(measure, before, user, scope)
    if measure is None or has_errors(findings):
        # The codes the user wrote are theirs to read back: were they left out here, a code
        # that exists but is hidden would read differently from one that does not exist.
        raise DefinitionRefused(redact(findings, scope, written=text))
    # Stored definitions name their objective, as imported ones do.
    measure = measure.model_copy(update={"set_fields": measure.set_fields | {"objective"}})
    spec = spec_from_database()
    changed = spec.model_copy(
        update={"measures": tuple(measure if m.code == code else m for m in spec.measures)}
    )
    findings += run_checks(changed)
    if has_errors(findings):
        raise DefinitionRefused(
            redact([f for f in findings if f.severity is Severity.ERROR], scope)
        )
    for field, value in _measure_fields(measure, Objective.objects.get(code=measure.objective)):
        setattr(stored, field, value)
    stored.save()
    return redact([f for f in findings if f.object == code], scope)


def _outside_scope(
    measure: MeasureSpec, before: MeasureSpec, user: Any, scope: Scope
) -> list[Finding]:
    """The references of an edited measure that reach outside what ``user`` may see or
    edit, as findings that name only what the user wrote."""
    earlier = measure_references(before)
    kept = {(r.key, r.setting) for r in earlier}
    known = {r.code for r in earlier}  # shown to the user in the stored definition
    editable = Objective.objects.restrict(user, Action.EDIT_DEFINITIONS)
    where = measure.location
    out: list[Finding] = []
    for ref in measure_references(measure):
        at = where.at(ref.key.split(".")[0])
        if ref.kind == "objective":
            if ref.code != before.objective and not editable.filter(code=ref.code).exists():
                message = (
                    f"objective refers to unknown objective '{ref.code}'"
                    if not scope.sees(ref.code)
                    else f"objective '{ref.code}' is in a unit you do not edit; "
                    "a measure can only move inside your part of the organization"
                )
                out.append(error("unknown-reference", message, measure.code, at))
        elif not scope.sees(ref.code) and (ref.key, ref.setting) not in kept:
            message = (
                f"{ref.key} names a measure outside your part of the organization; "
                "it can only be kept as it was"
                if ref.code in known
                else f"{ref.key} refers to unknown measure '{ref.code}'"
            )
            out.append(error("unknown-reference", message, measure.code, at))
    return out


def _measure_fields(m: MeasureSpec, objective: Objective) -> list[tuple[str, Any]]:
    """The stored columns of a measure (its position aside)."""
    return [
        ("name", m.name),
        ("objective", objective),
        ("unit", objective.unit),
        ("owner", m.owner or ""),
        ("steward", m.steward or ""),
        ("frequency", m.frequency.value),
        ("source", m.source.value),
        ("active", m.active),
        ("definition", _measure_definition(m)),
    ]


def store_spec(spec: ScorecardSpec) -> None:
    """Write checked definitions, updating rows by code and deleting the ones that are gone."""
    with bulk_changes(), transaction.atomic():
        _store_spec(spec)


def _store_spec(spec: ScorecardSpec) -> None:
    org = Organization.current() or Organization(name=spec.organization.name)
    org.name = spec.organization.name
    org.definition = _dump(spec.organization)
    org.revision += 1
    org.save()

    stored_measures = dict(Measure.objects.values_list("code", "pk"))
    keep_measures = {m.code for m in spec.measures}
    doomed = [pk for code, pk in stored_measures.items() if code not in keep_measures]
    with_data = sorted(
        Measure.objects.filter(pk__in=doomed, observations__isnull=False)
        .values_list("code", flat=True)
        .distinct()
    )
    if with_data:
        raise ScorecardError(
            [
                error(
                    "data-would-be-lost",
                    f"measure {code} has data but is not in the imported "
                    "scorecard; keep it (active: false) or delete its data first",
                    code,
                )
                for code in with_data
            ]
        )
    _delete(Measure, doomed)
    Link.objects.all().delete()
    keep_objectives = {o.code for o in spec.objectives}
    stored_objectives = Objective.objects.values_list("code", "pk")
    _delete(Objective, [pk for code, pk in stored_objectives if code not in keep_objectives])

    units = _store_units(spec)
    objectives = _write_rows(
        Objective,
        [
            (
                o.code,
                {
                    "name": o.name,
                    "unit_id": units[o.unit],
                    "perspective": o.perspective,
                    "owner": o.owner or "",
                    "weight": o.weight,
                    "active": o.active,
                    "position": position,
                    "definition": _dump(o),
                },
            )
            for position, o in enumerate(spec.objectives)
        ],
    )
    keep_units = {u.code for u in spec.units}
    # In one statement: a unit is protected by its children until they go too.
    gone = [pk for code, pk in units.items() if code not in keep_units]
    Unit.objects.filter(pk__in=gone).delete()
    links = [
        Link(
            kind=Link.SUPPORTS,
            source_id=objectives[o.code],
            target_id=objectives[s.objective],
            weight=s.weight,
        )
        for o in spec.objectives
        for s in o.supports
    ] + [
        Link(kind=Link.DRIVES, source_id=objectives[o.code], target_id=objectives[d])
        for o in spec.objectives
        for d in o.drives
    ]
    Link.objects.bulk_create(links, batch_size=BATCH)
    unit_of = {o.code: units[o.unit] for o in spec.objectives}
    _write_rows(
        Measure,
        [
            (
                m.code,
                {
                    "name": m.name,
                    "objective_id": objectives[m.objective],
                    "unit_id": unit_of[m.objective],
                    "owner": m.owner or "",
                    "steward": m.steward or "",
                    "frequency": m.frequency.value,
                    "source": m.source.value,
                    "active": m.active,
                    "position": position,
                    "definition": _measure_definition(m),
                },
            )
            for position, m in enumerate(spec.measures)
        ],
    )


BATCH = 2000
ORDER_ONLY = frozenset({"position", "path", "depth"})
"""Columns that place a row (its order, its place under a moved parent) without changing
what it defines: a row where only they change is updated without a history record."""


def _write_rows(model: Any, rows: list[tuple[str, dict[str, Any]]]) -> dict[str, int]:
    """Insert or update rows by code, in bulk: a history record for every new row and for
    every row whose definition changed (none for an unchanged one). The ids by code."""
    if not rows:
        return {}
    names = list(rows[0][1])
    stored = {
        values[0]: values[1:]
        for values in model.objects.values_list("code", "pk", *names).iterator(chunk_size=BATCH)
    }
    ids = {code: found[0] for code, found in stored.items()}
    new: list[Any] = []
    changed: list[Any] = []
    placed: list[Any] = []
    for code, fields in rows:
        found = stored.get(code)
        if found is None:
            new.append(model(code=code, **fields))
            continue
        differs = {n for n, old in zip(names, found[1:], strict=True) if old != fields[n]}
        if differs:
            (placed if differs <= ORDER_ONLY else changed).append(
                model(pk=found[0], code=code, **fields)
            )
    for created in bulk_create_with_history(new, model, batch_size=BATCH):
        ids[created.code] = created.pk
    if changed:
        bulk_update_with_history(changed, model, names, batch_size=BATCH)
    if placed:
        model.objects.bulk_update(placed, [n for n in names if n in ORDER_ONLY], BATCH)
    return ids


def _delete(model: Any, ids: list[int]) -> None:
    for start in range(0, len(ids), BATCH):
        model.objects.filter(pk__in=ids[start : start + BATCH]).delete()


def _store_units(spec: ScorecardSpec) -> dict[str, int]:
    """Write the units parents first (a new unit needs its parent's id), each with the path
    and depth its place in the tree gives it. The ids by code."""
    by_code = {u.code: u for u in spec.units}
    path: dict[str, str] = {}

    def path_of(code: str) -> str:
        if code not in path:
            parent = by_code[code].parent
            path[code] = (path_of(parent) if parent else "/") + f"{code}/"
        return path[code]

    levels: dict[int, list[tuple[int, UnitSpec]]] = {}
    for position, u in enumerate(spec.units):
        levels.setdefault(path_of(u.code).count("/") - 2, []).append((position, u))
    ids = dict(Unit.objects.values_list("code", "pk"))
    for depth in sorted(levels):
        ids.update(
            _write_rows(
                Unit,
                [
                    (
                        u.code,
                        {
                            "name": u.name,
                            "kind": u.kind,
                            "owner": u.owner or "",
                            "position": position,
                            "parent_id": ids[u.parent] if u.parent else None,
                            "definition": _dump(u),
                            "path": path[u.code],
                            "depth": depth,
                        },
                    )
                    for position, u in levels[depth]
                ],
            )
        )
    return ids


def spec_from_database() -> ScorecardSpec:
    """The stored definitions as the engine's frozen models."""
    org = Organization.current()
    if org is None:
        raise ScorecardError([error("no-scorecard", "no scorecard has been imported yet")])
    keys = KeySets()  # one copy of each distinct set of keys (a third of the memory)

    def definitions(model: Any) -> Any:
        return model.objects.order_by("position").values_list("definition", flat=True)

    with collector.paused():  # hundreds of thousands of lasting objects
        return ScorecardSpec(
            organization=OrganizationSpec.model_validate(org.definition),
            units=tuple(keys.shared(UnitSpec.model_validate(d)) for d in definitions(Unit)),
            objectives=tuple(
                keys.shared(ObjectiveSpec.model_validate(d)) for d in definitions(Objective)
            ),
            measures=tuple(keys.shared(_measure_spec(d)) for d in definitions(Measure)),
        )


def _measure_spec(definition: dict[str, Any]) -> MeasureSpec:
    return MeasureSpec.model_validate({**definition, "set_fields": frozenset(definition)})


def measure_specs(codes: Iterable[str]) -> dict[str, MeasureSpec]:
    """The stored definitions of some measures (by code) as the engine's models, read
    without the rest of the scorecard."""
    stored = Measure.objects.filter(code__in=list(codes)).values_list("code", "definition")
    return {code: _measure_spec(definition) for code, definition in stored}


def _yaml_target(value: dict[str, Any]) -> Any:
    if value.get("glide"):
        glide = {k: v for k, v in value["glide"].items() if v is not None}
        return {"glide": glide}
    if value.get("by_period"):
        return dict(value["by_period"])
    return value.get("constant")


def _yaml_measure(definition: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in definition.items() if k != "objective"}
    for key in ("target", "minimum", "stretch"):
        if isinstance(out.get(key), dict):
            out[key] = _yaml_target(out[key])
    return out


def export_scorecard(directory: str | Path) -> list[Path]:
    """Write the stored definitions as YAML: ``organization.yaml`` and one file per unit
    (``units/CODE.yaml``) with its objectives and their measures. Deterministic."""
    root = Path(directory)
    (root / "units").mkdir(parents=True, exist_ok=True)
    spec = spec_from_database()
    written = [_write(root / "organization.yaml", {"organization": _dump(spec.organization)})]
    measures_of: dict[str, list[MeasureSpec]] = {}
    for m in spec.measures:
        measures_of.setdefault(m.objective, []).append(m)
    for unit in spec.units:
        objectives = []
        for o in spec.objectives:
            if o.unit != unit.code:
                continue
            item = {k: v for k, v in _dump(o).items() if k != "unit"}
            nested = [_yaml_measure(_measure_definition(m)) for m in measures_of.get(o.code, [])]
            if nested:
                item["measures"] = nested
            objectives.append(item)
        document: dict[str, Any] = {"unit": _dump(unit)}
        if objectives:
            document["objectives"] = objectives
        written.append(_write(root / "units" / f"{unit.code}.yaml", document))
    return written


def _write(path: Path, document: dict[str, Any]) -> Path:
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    path.write_text(text, encoding="utf-8")
    return path


def stored_findings(user: Any = None) -> list[Finding]:
    """The alignment checks on the stored definitions; for a ``user`` restricted to part of
    the organization, those about what they may see that name nothing hidden from them."""
    found = run_checks(spec_from_database())
    scope = scope_of(user)
    if scope is None:
        return found
    return [f for f in found if scope.sees(f.object) and not scope.names_hidden(f.message)]


def definition_yaml(definition: dict[str, Any]) -> str:
    """A stored measure definition as it would be written in YAML."""
    return yaml.safe_dump(_yaml_measure(definition), sort_keys=False, allow_unicode=True)
