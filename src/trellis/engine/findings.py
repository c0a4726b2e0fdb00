"""Findings: what the loader and the alignment checks report, each with its location."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from trellis.engine.spec.location import Location


class Severity(StrEnum):
    """How serious a finding is; only errors stop a scorecard from being evaluated."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True)
class Finding:
    """One problem or remark about the scorecard, with a stable code and where it is."""

    code: str
    severity: Severity
    message: str
    object: str = ""
    location: Location = field(default_factory=Location)

    def as_dict(self) -> dict[str, str | int | None]:
        """The JSON shape: code, severity, message, file, line, object."""
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "file": self.location.file,
            "line": self.location.line,
            "object": self.object,
        }

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Order by file, line, severity, code."""
        return (
            self.location.file or "",
            self.location.line or 0,
            _RANK[self.severity],
            self.code,
            self.object,
        )

    def __str__(self) -> str:
        where = str(self.location)
        if self.location.column is not None:
            where += f":{self.location.column}"
        subject = f" [{self.object}]" if self.object else ""
        return f"{where}: {self.severity.value} {self.code}{subject}: {self.message}"


def error(code: str, message: str, obj: str = "", location: Location | None = None) -> Finding:
    """Build an error finding."""
    return Finding(code, Severity.ERROR, message, obj, location or Location())


def warning(code: str, message: str, obj: str = "", location: Location | None = None) -> Finding:
    """Build a warning finding."""
    return Finding(code, Severity.WARNING, message, obj, location or Location())


def info(code: str, message: str, obj: str = "", location: Location | None = None) -> Finding:
    """Build an informational finding."""
    return Finding(code, Severity.INFO, message, obj, location or Location())


def has_errors(findings: list[Finding]) -> bool:
    """True when any finding is an error."""
    return any(f.severity is Severity.ERROR for f in findings)


class ScorecardError(Exception):
    """Raised at a boundary when a scorecard has errors; carries every finding."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = sorted(findings, key=Finding.sort_key)
        errors = [f for f in self.findings if f.severity is Severity.ERROR]
        lines = "\n".join(str(f) for f in errors[:20])
        more = f"\n… and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(f"{len(errors)} error(s) in the scorecard:\n{lines}{more}")
