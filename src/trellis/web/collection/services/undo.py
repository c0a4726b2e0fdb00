"""Undoing an import: every value it wrote goes back to what it was before, as a whole."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from trellis.web.collection.services.data import closing_lock, locks, refresh_after
from trellis.web.core.quiet import bulk_changes
from trellis.web.observations.models import DataImport, Observation
from trellis.web.observations.services.versions import Version, record_removals, write_versions
from trellis.web.scorecards.models import Organization


class UndoRefused(Exception):
    """An import cannot be undone; the message says why."""


def undo(record: DataImport, user: Any) -> int:
    """Put back every value an import wrote as it was before (removing those it created);
    refused when one of them changed since or lies in a locked period. Returns the number
    of values restored or removed."""
    author = user if getattr(user, "is_authenticated", False) else None
    history = Observation.history.model
    with transaction.atomic():
        Organization.objects.select_for_update().order_by("pk").first()
        record = DataImport.objects.select_for_update().get(pk=record.pk)
        if record.undone_at is not None:
            raise UndoRefused(_("this import was already undone"))
        mine = list(
            history.objects.filter(history_change_reason=record.reason).values(
                "id",
                "history_id",
                "history_type",
                "measure__code",
                "measure__frequency",
                "period",
                "end_month",
                "segment",
                "value",
                "comment",
            )
        )
        ids = [m["id"] for m in mine]
        later = _later_changes(history, ids, {m["id"]: m for m in mine})
        if later:
            shown = ", ".join(later[:5]) + (" …" if len(later) > 5 else "")
            raise UndoRefused(
                _("values changed after this import: {values}; undo those first").format(
                    values=shown
                )
            )
        closed = locks()
        for m in mine:
            if closing_lock(m["measure__frequency"], m["end_month"], closed) is not None:
                raise UndoRefused(
                    _("{code} {period} lies in a locked period").format(
                        code=m["measure__code"], period=m["period"]
                    )
                )
        before = _previous_versions(history, ids, {m["id"]: m["history_id"] for m in mine})
        now = timezone.now()
        restored = []
        removed = []
        for m in mine:
            old = before.get(m["id"])
            if m["history_type"] == "+" or old is None:
                removed.append(m["id"])
            else:
                restored.append(
                    Version(
                        m["id"],
                        old.measure_id,
                        old.period,
                        old.end_month,
                        old.segment,
                        old.value,
                        old.comment,
                        old.source,
                        author.pk if author is not None else None,
                    )
                )
        reason = f"undo {record.reason}"
        write_versions(restored, author, reason, now)
        record_removals(removed, author, reason, now)
        for start in range(0, len(removed), 500):
            with bulk_changes():  # refreshed once below, not once per row
                Observation.objects.filter(pk__in=removed[start : start + 500]).delete()
        record.undone_at, record.undone_by = now, author
        record.save(update_fields=["undone_at", "undone_by"])
        gone = set(removed)
        refresh_after(
            [
                (
                    m["measure__code"],
                    m["period"],
                    None if m["id"] in gone else before[m["id"]].value,
                    m["segment"],
                )
                for m in mine
            ]
        )
    return len(mine)


def _later_changes(history: Any, ids: list[int], mine: dict[int, dict[str, Any]]) -> list[str]:
    """The values whose current version is not the one the import wrote: changed or
    removed since (a later change that was itself undone does not count)."""
    latest: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for row in (
            history.objects.filter(id__in=chunk)
            .order_by("history_id")
            .values(
                "id", "history_id", "history_type", "measure__code", "period", "value", "comment"
            )
        ):
            latest[row["id"]] = row
    out = []
    for pk, row in latest.items():
        wrote = mine[pk]
        if row["history_id"] == wrote["history_id"]:
            continue
        same = (row["value"], row["comment"]) == (wrote["value"], wrote["comment"])
        if row["history_type"] == "-" or not same:
            out.append(f"{row['measure__code']} {row['period']}")
    return sorted(set(out))


def _previous_versions(history: Any, ids: list[int], mine: dict[int, int]) -> dict[int, Any]:
    """For each observation, its latest version recorded before the import's own row."""
    out: dict[int, Any] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for row in history.objects.filter(id__in=chunk).order_by("history_id"):
            if row.history_id >= mine[row.id]:
                continue
            if row.history_type == "-":
                out.pop(row.id, None)
            else:
                out[row.id] = row
    return out
