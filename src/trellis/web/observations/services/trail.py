"""The data trail of a measure: every change of its values, who made it and why."""

from __future__ import annotations

from typing import Any

from trellis.web.observations.models import Observation


def data_trail(measure: Any, limit: int = 30) -> list[dict[str, Any]]:
    """The latest changes of a measure's values: who, when, period, old → new, source and
    why (an import's number, an approval, an undo)."""
    rows = list(
        Observation.history.filter(measure_id=measure.pk)
        .select_related("history_user")
        .order_by("history_id")
    )
    previous: dict[int, Any] = {}
    out = []
    for row in rows:
        before = previous.get(row.id)
        previous[row.id] = None if row.history_type == "-" else row
        if row.history_change_reason == "before import":
            continue  # a snapshot of a value loaded in bulk, not a change
        out.append(
            {
                "when": row.history_date,
                "who": row.history_user,
                "period": row.period + (f" · {row.segment}" if row.segment else ""),
                "old": None if before is None else before.value,
                "new": None if row.history_type == "-" else row.value,
                "source": row.get_source_display(),
                "why": row.history_change_reason or "",
            }
        )
    return out[::-1][:limit]
