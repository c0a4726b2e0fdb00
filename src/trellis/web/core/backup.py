"""Backups of a whole installation, and restoring them into a new one (``trellis backup``,
``trellis restore``).

A backup is a folder:

- ``manifest.json``: the format, the Trellis version, when and from which database engine
  it was made, the migrations applied, the rows of each table and a SHA-256 of every file;
- ``data/<app>.<model>.jsonl.gz``: each table's rows, one JSON array per line after a first
  line naming the columns; values as JSON (times in ISO 8601, bytes in base64, decimals as
  text), so a backup of SQLite restores into PostgreSQL and the other way round;
- ``files/``: the data folder's keys (``secret_key``, ``credential_key``) and demo marker.

Every table is read in one transaction (PostgreSQL: repeatable read; SQLite: one read
transaction of its write-ahead log), so the snapshot is consistent while people keep working.
Uploads waiting for import and the stored results live in the database and come with it;
sessions, the page cache, worker heartbeats and queued work do not (people sign in again;
pages are rendered anew; a refresh that was still queued is redone by ``catch_up``, since
the results say which data revision they are of).

Restoring checks the whole backup first (manifest, checksums, migrations this version knows),
goes only into an empty installation, migrates it to the backup's migrations, loads every row
in one transaction (nothing is kept if any row fails), resets the id sequences and then
migrates forward to this version: a backup of an earlier release restores into a later one.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import gzip
import hashlib
import json
import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps as current_apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import dateparse, timezone

import trellis

FORMAT = 1
KEY_FILES = ("secret_key", "credential_key", "demo")
LEFT_OUT = {
    "accounts.session",  # people sign in again
    "sessions.session",
    "core.heartbeat",
    "django_tasks_db.dbtaskresult",  # queued work: results are recomputed after a restore
}
BATCH = 2_000


class BackupError(Exception):
    """A backup that cannot be made or restored, and why (nothing was changed)."""


@dataclass(frozen=True)
class Summary:
    """What a backup or a restore covered."""

    tables: int
    rows: int
    bytes: int
    seconds: float


def _encode(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    return value


def _decoder(field: models.Field[Any, Any]) -> Any:
    """How a JSON value of this field's column becomes a Python value again."""
    kind = field.get_internal_type()
    if kind == "DateTimeField":
        return dateparse.parse_datetime
    if kind == "DateField":
        return dateparse.parse_date
    if kind == "TimeField":
        return dateparse.parse_time
    if kind == "DecimalField":
        return decimal.Decimal
    if kind == "BinaryField":
        return base64.b64decode
    if kind == "DurationField":
        return lambda seconds: datetime.timedelta(seconds=seconds)
    if kind == "UUIDField":
        return uuid.UUID
    return None


def _tables(registry: Any) -> list[type[models.Model]]:
    return [
        m
        for m in registry.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy and m._meta.label_lower not in LEFT_OUT
    ]


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _applied(executor: MigrationExecutor) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(executor.loader.applied_migrations or {}):
        applied.setdefault(app, []).append(name)
    return applied


def backup(target: Path) -> Summary:
    """Write a backup of this installation into ``target`` (a new or empty folder)."""
    start = time.perf_counter()
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty: a backup goes into a new or empty folder")
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise BackupError("the database is not migrated to this version: run trellis serve once")
    (target / "data").mkdir(parents=True, exist_ok=True)
    (target / "files").mkdir(exist_ok=True)
    counts: dict[str, int] = {}
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # one snapshot for every table
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        applied = _applied(executor)
        for model in _tables(current_apps):
            counts[model._meta.label_lower] = _write_table(model, target / "data")
    for name in KEY_FILES:
        source = Path(settings.DATA_DIR) / name
        if source.is_file():
            (target / "files" / name).write_bytes(source.read_bytes())
            (target / "files" / name).chmod(0o600)
    files = {
        str(p.relative_to(target)): _digest(p) for p in sorted(target.rglob("*")) if p.is_file()
    }
    manifest = {
        "format": FORMAT,
        "trellis": trellis.__version__,
        "created": timezone.now().isoformat(),
        "vendor": connection.vendor,
        "migrations": applied,
        "tables": counts,
        "files": files,
    }
    (target / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    size = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
    return Summary(len(counts), sum(counts.values()), size, time.perf_counter() - start)


def _write_table(model: type[models.Model], folder: Path) -> int:
    fields = [f.attname for f in model._meta.concrete_fields]
    rows = model._base_manager.order_by("pk").values_list(*fields)
    written = 0
    with gzip.open(folder / f"{model._meta.label_lower}.jsonl.gz", "wt", encoding="utf-8") as out:
        out.write(json.dumps({"fields": fields}) + "\n")
        for row in rows.iterator(chunk_size=BATCH):
            out.write(json.dumps([_encode(v) for v in row], ensure_ascii=False) + "\n")
            written += 1
    return written


def read_manifest(source: Path) -> dict[str, Any]:
    """The manifest of the backup in ``source``, every file checked against it."""
    path = source / "manifest.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{source} is not a Trellis backup: no manifest.json") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"{path}: not a readable manifest ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: not a backup of format {FORMAT}")
    for name, digest in manifest["files"].items():
        file = source / name
        if not file.is_file():
            raise BackupError(f"{file}: missing from the backup")
        if _digest(file) != digest:
            raise BackupError(f"{file}: changed or damaged since the backup was made")
    return manifest


def _installation_is_empty(registry: Any) -> bool:
    user = registry.get_model("auth", "User")
    organization = registry.get_model("scorecards", "Organization")
    return not (user.objects.exists() or organization.objects.exists())


def restore(source: Path) -> Summary:
    """Restore the backup in ``source`` into this (empty) installation."""
    start = time.perf_counter()
    manifest = read_manifest(source)
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    known = executor.loader.disk_migrations
    targets: list[tuple[str, str]] = []
    for app, names in manifest["migrations"].items():
        unknown = [n for n in names if (app, n) not in known]
        if unknown:
            raise BackupError(
                f"the backup was made by a later Trellis ({manifest['trellis']}): migration "
                f"{app}.{unknown[0]} is unknown here; restore it with that version or later"
            )
        leaves = [
            n for n in names if not any((app, n) in known[(app, m)].dependencies for m in names)
        ]
        targets.extend((app, leaf) for leaf in leaves)
    executor.migrate(targets)
    executor.loader.build_graph()
    registry = executor.loader.project_state(targets).apps
    if not _installation_is_empty(registry):
        raise BackupError(
            "this installation already has people or an organization: restore into a new "
            "data folder (--data-dir) or an empty database (DATABASE_URL)"
        )
    tables = {m._meta.label_lower: m for m in _tables(registry)}
    missing = sorted(set(manifest["tables"]) - set(tables))
    if missing:
        raise BackupError(f"the backup has tables this version does not: {', '.join(missing)}")
    rows = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for model in tables.values():  # what migrating made (content types, permissions)
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
        for label, model in tables.items():
            if label in manifest["tables"]:
                rows += _load_table(model, source / "data" / f"{label}.jsonl.gz")
        for statement in connection.ops.sequence_reset_sql(no_style(), list(tables.values())):
            cursor.execute(statement)
    # The installation was empty: nothing was signed or encrypted with the keys it made.
    for name in KEY_FILES:
        kept = source / "files" / name
        if kept.is_file():
            here = Path(settings.DATA_DIR) / name
            here.parent.mkdir(parents=True, exist_ok=True)
            here.write_bytes(kept.read_bytes())
            os.chmod(here, 0o600)
    call_command("migrate", interactive=False, verbosity=0)  # to this version
    size = sum(p.stat().st_size for p in source.rglob("*") if p.is_file())
    return Summary(len(manifest["tables"]), rows, size, time.perf_counter() - start)


def _load_table(model: type[models.Model], path: Path) -> int:
    for field in model._meta.concrete_fields:  # times as they were, not the time of loading
        if isinstance(field, models.DateField):
            field.auto_now = field.auto_now_add = False
    loaded = 0
    batch: list[models.Model] = []
    for values in _rows(model, path):
        batch.append(model(**values))
        if len(batch) == BATCH:
            model._base_manager.bulk_create(batch)
            loaded += len(batch)
            batch = []
    model._base_manager.bulk_create(batch)
    return loaded + len(batch)


def _rows(model: type[models.Model], path: Path) -> Iterator[dict[str, Any]]:
    by_name = {f.attname: f for f in model._meta.concrete_fields}
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        header = json.loads(next(lines))
        fields = header["fields"]
        unknown = [f for f in fields if f not in by_name]
        if unknown:
            raise BackupError(f"{path}: column {unknown[0]} is not in {model._meta.label}")
        decoders = [_decoder(by_name[f]) for f in fields]
        for number, line in enumerate(lines, start=2):
            try:
                values = json.loads(line)
                yield {
                    f: (d(v) if d is not None and v is not None else v)
                    for f, d, v in zip(fields, decoders, values, strict=True)
                }
            except (ValueError, TypeError, decimal.InvalidOperation) as exc:
                raise BackupError(f"{path}, line {number}: {exc}") from None
