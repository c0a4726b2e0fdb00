"""The audit trail of an object, as rows for a page: who, when, what changed."""

from __future__ import annotations

from typing import Any


def audit_trail(instance: Any, limit: int = 10) -> list[dict[str, Any]]:
    """The latest changes of an object with each field's value before and after."""
    rows = []
    for record in instance.history.all().select_related("history_user")[:limit]:
        previous = record.prev_record
        changes = []
        if previous is not None:
            delta = record.diff_against(previous)
            changes = [{"field": c.field, "old": c.old, "new": c.new} for c in delta.changes]
        rows.append(
            {
                "when": record.history_date,
                "who": record.history_user,
                "what": record.get_history_type_display(),
                "changes": changes,
            }
        )
    return rows
