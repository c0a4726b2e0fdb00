"""Writing many rows fast: the database driver's ``executemany`` with values already in
the form the columns store. Building a model instance per row costs minutes for the
million rows of a large import or recomputation; this takes seconds."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connections

CHUNK = 20_000


def database(model: Any) -> Any:
    """The connection a model's rows live in."""
    return connections[model.objects.db]


def insert_sql(model: Any, columns: Sequence[str]) -> str:
    """An INSERT of one row into a model's table (names from the model, values bound)."""
    quote = database(model).ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    return f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608


def execute_many(model: Any, sql: str, rows: Iterable[Sequence[Any]]) -> None:
    """Run ``sql`` once per row, in chunks (bounded memory)."""
    with database(model).cursor() as cursor:
        batch: list[Sequence[Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) == CHUNK:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def insert_rows(model: Any, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Insert rows of column values into a model's table (no signals, no ids back)."""
    execute_many(model, insert_sql(model, columns), rows)


def json_adapter(model: Any) -> Callable[[Any], Any]:
    """What turns a value into what a JSON column of the model's database takes."""
    adapt = database(model).ops.adapt_json_value
    return lambda value: adapt(value, None)


def datetime_value(model: Any, value: Any) -> Any:
    """An aware datetime as this database's datetime columns take it."""
    return database(model).ops.adapt_datetimefield_value(value)
