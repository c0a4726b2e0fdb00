"""Observation versions: every write of a value (imports, forms, connectors, approvals,
undo) saves the observation and its history row (who, when, why) here, in bulk with the
driver's ``executemany`` (:mod:`trellis.web.core.bulk`): a million rows take seconds."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from django.db.models import Max

from trellis.web.core import bulk
from trellis.web.observations.models import Observation


def written_mark() -> int:
    """The latest observation history row: every write of an observation (imports, forms,
    connectors, approvals, undo, the admin) adds one, so an unchanged mark means that
    nothing was written."""
    latest = Observation.history.model.objects.order_by("-history_id").values_list(
        "history_id", flat=True
    )
    return latest.first() or 0


Stored = dict[tuple[int, str, str], tuple[int, float, str]]
"""(measure, period, segment) → (pk, value, comment)."""


def stored_observations(measure_ids: set[int]) -> Stored:
    """Stored observations of these measures: (measure, period, segment) → (pk, value,
    comment); all of them when many measures are asked for (one scan beats long IN lists)."""
    fields = ("measure_id", "period", "segment", "pk", "value", "comment")
    ids = sorted(measure_ids)
    if len(ids) > 500:
        found: Iterable[tuple[Any, ...]] = Observation.objects.values_list(*fields).iterator(
            chunk_size=20_000
        )
        return {(m, p, s): (pk, v, c) for m, p, s, pk, v, c in found if m in measure_ids}
    out: Stored = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for m, p, s, pk, v, c in Observation.objects.filter(measure_id__in=chunk).values_list(
            *fields
        ):
            out[(m, p, s)] = (pk, v, c)
    return out


class Version(NamedTuple):
    """A new version of one observation (``pk`` None: a new observation)."""

    pk: int | None
    measure_id: int
    period: str
    end_month: int
    segment: str
    value: float
    comment: str
    source: str
    changed_by_id: int | None


_OBSERVATION_COLUMNS = (
    "measure_id",
    "period",
    "end_month",
    "segment",
    "value",
    "comment",
    "source",
    "changed_by_id",
    "changed_at",
)
_HISTORY_COLUMNS = (
    "id",
    *_OBSERVATION_COLUMNS,
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user_id",
)


def write_versions(versions: Sequence[Version], author: Any, reason: str, now: Any) -> None:
    """Write observation versions and their history rows (who, when, why) with the
    driver's ``executemany`` (:mod:`trellis.web.core.bulk`); the history of new
    observations is copied inside the database. Runs under the organization's row lock."""
    if not versions:
        return
    when = bulk.datetime_value(Observation, now)
    user_id = author.pk if author is not None else None
    table = bulk.database(Observation).ops.quote_name(Observation._meta.db_table)
    old = [v for v in versions if v.pk is not None]
    # In index order: each insert lands next to the previous one in the B-trees.
    new = sorted((v for v in versions if v.pk is None), key=lambda v: (v.measure_id, v.period))
    bulk.execute_many(
        Observation,
        f"UPDATE {table} SET value = %s, comment = %s, source = %s, "  # noqa: S608 - model names
        "changed_by_id = %s, changed_at = %s WHERE id = %s",
        ((v.value, v.comment, v.source, v.changed_by_id, when, v.pk) for v in old),
    )
    bulk.insert_rows(
        Observation.history.model,
        _HISTORY_COLUMNS,
        ((*v, when, when, reason, "~", user_id) for v in old),
    )
    if new:
        before = Observation.objects.aggregate(last=Max("pk"))["last"] or 0
        bulk.insert_rows(Observation, _OBSERVATION_COLUMNS, ((*v[1:], when) for v in new))
        # The rows just inserted: newer than every row before, and written at this moment.
        with bulk.database(Observation).cursor() as cursor:
            cursor.execute(
                history_copy("o.id > %s AND o.changed_at = %s"),
                [when, reason, "+", user_id, before, when],
            )


def history_copy(where: str) -> str:
    """An INSERT … SELECT that records the current version of the observations ``where``
    selects (alias ``o``); parameters: history date, reason, type, user, then ``where``'s."""
    db = bulk.database(Observation)
    quote = db.ops.quote_name
    history = quote(Observation.history.model._meta.db_table)
    taken = ", ".join(f"o.{quote(c)}" for c in ("id", *_OBSERVATION_COLUMNS))
    columns = ", ".join(quote(c) for c in _HISTORY_COLUMNS)
    return (
        f"INSERT INTO {history} ({columns}) SELECT {taken}, %s, %s, %s, %s "  # noqa: S608
        f"FROM {quote(Observation._meta.db_table)} o WHERE {where}"
    )


def snapshot_unrecorded(ids: list[int], now: Any) -> None:
    """Record the current version of observations that have no history yet (loaded in
    bulk), so that the values an import replaces can be put back: one INSERT … SELECT
    per 500 observations, inside the database."""
    db = bulk.database(Observation)
    history = db.ops.quote_name(Observation.history.model._meta.db_table)
    when = bulk.datetime_value(Observation, now)
    with db.cursor() as cursor:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                history_copy(
                    f"o.id IN ({marks}) AND NOT EXISTS "  # noqa: S608 - model names
                    f"(SELECT 1 FROM {history} h WHERE h.id = o.id)"
                ),
                [when, "before import", "+", None, *chunk],
            )


def record_removals(ids: Sequence[int], author: Any, reason: str, now: Any) -> None:
    """Record the last version of observations about to be deleted (``-`` rows), copied
    inside the database."""
    when = bulk.datetime_value(Observation, now)
    user_id = author.pk if author is not None else None
    with bulk.database(Observation).cursor() as cursor:
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(history_copy(f"o.id IN ({marks})"), [when, reason, "-", user_id, *chunk])
