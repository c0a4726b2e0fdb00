"""Scorecard YAML → frozen definitions, remembering the file and line of every object.

A scorecard is one YAML file or a folder of them (read recursively, in name order) that merge.
Each file may hold any of these top-level keys:

- ``organization``: the organization (exactly once across all files);
- ``unit``: one unit; objectives of the same file default to it;
- ``units``: a list of units;
- ``objectives``: a list of objectives, each optionally with a nested ``measures`` list;
- ``measures``: a list of measures (each names its ``objective``).

Loading never stops at the first problem: every item is validated on its own and every problem
becomes a :class:`~trellis.engine.findings.Finding` with ``file:line``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from trellis.engine import collector
from trellis.engine.findings import Finding, error
from trellis.engine.key_sets import KeySets
from trellis.engine.spec import (
    Measure,
    Objective,
    Organization,
    ScorecardSpec,
    TargetSeries,
    Unit,
)
from trellis.engine.spec.location import Location
from trellis.engine.yaml_source import Located, read_yaml

__all__ = ["Loaded", "Located", "load_measure", "load_spec", "read_yaml", "scorecard_files"]

TOP_LEVEL_KEYS = ("organization", "unit", "units", "objectives", "measures")
TARGET_KEYS = ("target", "minimum", "stretch")

M = TypeVar("M", bound=BaseModel)


@dataclass
class _Collected:
    """Raw items gathered from all files before validation."""

    organizations: list[Located] = field(default_factory=list)
    units: list[Located] = field(default_factory=list)
    objectives: list[Located] = field(default_factory=list)
    measures: list[Located] = field(default_factory=list)


def scorecard_files(path: Path) -> list[Path]:
    """The YAML files of a scorecard path (a file, or a folder read recursively)."""
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    return [path]


def _displayed(paths: list[Path]) -> list[str]:
    """How each file is named in findings: relative to the working folder when inside it."""
    cwd = Path.cwd()
    names = []
    for path in paths:
        try:
            names.append(str(path.relative_to(cwd)))
        except ValueError:
            names.append(str(path))
    return names


def _read_file(path: Path, file: str, findings: list[Finding]) -> Located | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        findings.append(
            error("unreadable-file", f"cannot read file: {exc}", location=Location(file=file))
        )
        return None
    data, problems = read_yaml(text, file)
    findings.extend(problems)
    if data is not None and not isinstance(data, Located):
        findings.append(
            error(
                "schema",
                "a scorecard file must be a mapping with keys " + ", ".join(TOP_LEVEL_KEYS),
                location=Location(file=file, line=1),
            )
        )
        return None
    return data


MAX_DEFINITION_CHARS = 65_536
"""The longest definition of one measure (the web editor); files have no such limit."""


def load_measure(
    text: str, file: str = "<definition>", objective: str | None = None
) -> tuple[Measure | None, list[Finding]]:
    """One measure's definition written as YAML (the form of a measure in a scorecard file),
    with every problem found and its line; ``objective`` is the one it belongs to unless the
    text names another (as a measure nested under its objective leaves it out)."""
    if len(text) > MAX_DEFINITION_CHARS:
        too_long = f"a measure's definition is longer than {MAX_DEFINITION_CHARS:,} characters"
        return None, [error("yaml-too-large", too_long, location=Location(file=file, line=1))]
    data, findings = read_yaml(text, file)
    if findings:
        return None, findings
    if not isinstance(data, Located):
        findings.append(
            error(
                "schema",
                "a measure is a mapping of keys such as code, name, objective",
                location=Location(file=file, line=1),
            )
        )
        return None, findings
    normalized = _normalize_measure(data)
    if objective is not None:
        normalized.setdefault("objective", objective)
    measure = _validate(Measure, data, normalized, "measure", findings)
    return measure, findings


def _items(doc: Located, key: str, findings: list[Finding]) -> Iterator[Located]:
    value = doc.get(key)
    if value is None:
        return
    if not isinstance(value, list):
        findings.append(error("schema", f"'{key}' must be a list", location=doc.location.at(key)))
        return
    for item in value:
        if isinstance(item, Located):
            yield item
        else:
            findings.append(
                error(
                    "schema",
                    f"each entry of '{key}' must be a mapping, got {item!r}",
                    location=doc.location.at(key),
                )
            )


def _collect(doc: Located, collected: _Collected, findings: list[Finding]) -> None:
    for key in doc:
        if key not in TOP_LEVEL_KEYS:
            findings.append(
                error(
                    "schema",
                    f"unknown top-level key '{key}'; expected one of {', '.join(TOP_LEVEL_KEYS)}",
                    location=doc.location.at(key),
                )
            )
    if isinstance(doc.get("organization"), Located):
        collected.organizations.append(doc["organization"])
    elif "organization" in doc:
        findings.append(
            error(
                "schema",
                "'organization' must be a mapping",
                location=doc.location.at("organization"),
            )
        )
    default_unit = None
    if isinstance(doc.get("unit"), Located):
        collected.units.append(doc["unit"])
        default_unit = doc["unit"].get("code")
    elif "unit" in doc:
        findings.append(
            error("schema", "'unit' must be a mapping", location=doc.location.at("unit"))
        )
    collected.units.extend(_items(doc, "units", findings))
    for objective in _items(doc, "objectives", findings):
        if default_unit is not None and "unit" not in objective:
            objective["unit"] = default_unit
        nested = objective.pop("measures", None)
        if nested is not None:
            holder = Located(measures=nested)
            holder.location = objective.location
            for measure in _items(holder, "measures", findings):
                measure.setdefault("objective", objective.get("code"))
                collected.measures.append(measure)
        collected.objectives.append(objective)
    collected.measures.extend(_items(doc, "measures", findings))


def _target_series(raw: Any) -> Any:
    """Accept the three YAML forms of a target level."""
    if raw is None or isinstance(raw, TargetSeries):
        return raw
    if isinstance(raw, bool):
        return raw  # rejected by validation with a clear type message
    if isinstance(raw, int | float):
        return {"constant": raw}
    if isinstance(raw, dict):
        if set(raw) == {"glide"}:
            return {"glide": raw["glide"]}
        return {"by_period": {str(k): v for k, v in raw.items()}}
    return raw


def _normalize_measure(item: Located) -> dict[str, Any]:
    data: dict[str, Any] = dict(item)
    for key in TARGET_KEYS:
        if key in data:
            data[key] = _target_series(data[key])
    cascade = data.get("cascades_from")
    if isinstance(cascade, str):
        data["cascades_from"] = {"measure": cascade}
    if isinstance(data.get("cascades_from"), Located):
        data["cascades_from"] = _with_location(data["cascades_from"])
    data["set_fields"] = frozenset(item.keys())
    return data


def _normalize_objective(item: Located) -> dict[str, Any]:
    data: dict[str, Any] = dict(item)
    supports = data.get("supports")
    if isinstance(supports, str):
        supports = [supports]
    if isinstance(supports, list):
        data["supports"] = [
            {"objective": s, "location": item.location.at("supports")}
            if isinstance(s, str)
            else _with_location(s)
            if isinstance(s, Located)
            else s
            for s in supports
        ]
    drives = data.get("drives")
    if isinstance(drives, str):
        data["drives"] = [drives]
    return data


def _with_location(item: Located) -> dict[str, Any]:
    data = dict(item)
    data["location"] = item.location
    return data


def _error_location(item: Located, loc: tuple[int | str, ...]) -> Location:
    """The line of the deepest key of a validation error's path that exists in the YAML."""
    node: Any = item
    line = item.location.line
    for part in loc:
        if isinstance(node, Located) and isinstance(part, str) and part in node:
            line = node.location.line_of(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
            if isinstance(node, Located):
                line = node.location.line
        else:
            break
    return Location(file=item.location.file, line=line)


def _describe(loc: tuple[int | str, ...]) -> str:
    parts = [p for p in loc if p not in ("constant", "by_period", "function-after[_ordered()]")]
    return ".".join(str(p) for p in parts)


def _validate(
    model: type[M],
    item: Located,
    data: dict[str, Any],
    kind: str,
    findings: list[Finding],
    shared: KeySets | None = None,
) -> M | None:
    data["location"] = item.location  # with the line of each key (yaml_source)
    try:
        valid = model.model_validate(data)
        if shared is not None:
            shared.compact(valid)
        return valid
    except ValidationError as exc:
        code = item.get("code")
        name = f"{kind} {code}" if code else kind
        for err in exc.errors():
            where = _describe(err["loc"])
            message = err["msg"]
            if err["type"] == "extra_forbidden":
                message = "unknown key"
            findings.append(
                error(
                    "schema",
                    f"{name}: {where + ': ' if where else ''}{message}",
                    obj=str(code or ""),
                    location=_error_location(item, err["loc"]),
                )
            )
        return None


@dataclass
class Loaded:
    """The result of loading: the definitions and every problem met on the way."""

    spec: ScorecardSpec | None
    findings: list[Finding]
    files: list[str]


def load_spec(path: str | Path) -> Loaded:
    """Read a scorecard file or folder; never raises for bad content."""
    with collector.paused():
        return _load_spec(Path(path))


def _load_spec(root: Path) -> Loaded:
    findings: list[Finding] = []
    if not root.exists():
        findings.append(
            error(
                "unreadable-file",
                f"no such file or folder: {root}",
                location=Location(file=str(root)),
            )
        )
        return Loaded(None, findings, [])
    files = scorecard_files(root)
    if not files:
        findings.append(
            error("unreadable-file", f"no .yaml files in {root}", location=Location(file=str(root)))
        )
        return Loaded(None, findings, [])
    names = _displayed(files)
    collected = _Collected()
    for file, name in zip(files, names, strict=True):
        doc = _read_file(file, name, findings)
        if doc is not None:
            _collect(doc, collected, findings)
    parsed = not any(f.code in ("yaml-syntax", "unreadable-file") for f in findings)
    organization = _organization(collected, findings, report_missing=parsed)
    shared = KeySets()
    units = [
        u
        for item in collected.units
        if (u := _validate(Unit, item, dict(item), "unit", findings, shared))
    ]
    objectives = [
        o
        for item in collected.objectives
        if (
            o := _validate(
                Objective, item, _normalize_objective(item), "objective", findings, shared
            )
        )
    ]
    measures = [
        m
        for item in collected.measures
        if (m := _validate(Measure, item, _normalize_measure(item), "measure", findings, shared))
    ]
    if organization is None:
        return Loaded(None, findings, names)
    spec = ScorecardSpec(
        organization=organization,
        units=tuple(units),
        objectives=tuple(objectives),
        measures=tuple(measures),
    )
    return Loaded(spec, findings, names)


def _organization(
    collected: _Collected, findings: list[Finding], report_missing: bool
) -> Organization | None:
    if not collected.organizations:
        if report_missing:  # a file that failed to parse may well have held it
            findings.append(error("schema", "no 'organization' is defined in any file"))
        return None
    for extra in collected.organizations[1:]:
        findings.append(
            error(
                "duplicate-code",
                f"'organization' is defined again (first at {collected.organizations[0].location})",
                location=extra.location,
            )
        )
    item = collected.organizations[0]
    data: dict[str, Any] = dict(item)
    if isinstance(data.get("perspectives"), list):
        data["perspectives"] = [
            _with_location(p) if isinstance(p, Located) else p for p in data["perspectives"]
        ]
    return _validate(Organization, item, data, "organization", findings)
