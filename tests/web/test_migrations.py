"""A database made by the release before the apps were laid out by capability migrates
forward: roles, connections and their history are found where the models now live, without
a row copied (the moves only change which app owns a table); its stored results count as
current (no recomputation after the upgrade).

The migrations of the move touch no table, so one database engine says as much as two: the
test builds its own SQLite file and never touches the test database.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

RELEASE = [  # the newest migration of each app in the release before the move
    ("scorecards", "0003_organization_reporting_month"),
    ("accounts", "0001_initial"),
    ("observations", "0003_connectors"),
    ("results", "0001_initial"),
]


def _django(data: Path, *args: str, code: str | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TRELLIS_DATA_DIR")}
    env.update(DJANGO_SETTINGS_MODULE="trellis.web.settings", TRELLIS_DATA_DIR=str(data))
    command = [sys.executable, "-c", code] if code else [sys.executable, "-m", "django", *args]
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_database_of_the_previous_release_migrates_forward(tmp_path: Path) -> None:
    for app, name in RELEASE:
        _django(tmp_path, "migrate", app, name)
    with sqlite3.connect(tmp_path / "trellis.sqlite3") as db:
        db.execute(
            "INSERT INTO scorecards_organization (id, name, definition, revision,"
            " data_revision) VALUES (1, 'Acme', '{}', 3, 7)"
        )
        db.execute(
            "INSERT INTO scorecards_unit (id, code, name, kind, owner, path, depth, position,"
            " definition, data_revision) VALUES (1, 'acme', 'Acme', '', '', '/acme/', 0, 0,"
            " '{}', 0)"
        )
        db.execute(
            "INSERT INTO auth_user (id, password, last_login, is_superuser, username,"
            " first_name, last_name, email, is_staff, is_active, date_joined) VALUES (7, '!',"
            " '2026-01-01 00:00:00', 0, 'nina', '', '', '', 0, 1, '2026-01-01 00:00:00')"
        )
        db.execute(
            "INSERT INTO accounts_membership (id, user_id, unit_id, role) VALUES (3, 7, 1,"
            " 'viewer')"
        )
        db.execute(
            "INSERT INTO observations_connection (id, name, url, password_env,"
            " password_encrypted, timeout_seconds, schedule, active, created_at) VALUES (5,"
            " 'pos', 'sqlite:////srv/pos.sqlite3', 'POS_PASSWORD', '', 30, 'daily', 1,"
            " '2026-01-01 00:00:00')"
        )
    _django(tmp_path, "migrate")
    found = _django(
        tmp_path,
        code=(
            "import json, django; django.setup()\n"
            "from trellis.web.connectors.models import Connection\n"
            "from trellis.web.core.models import Membership\n"
            "from trellis.web.scorecards.models import Organization\n"
            "print(json.dumps({\n"
            "  'roles': list(Membership.objects.values_list('user__username', 'unit__code',"
            " 'role')),\n"
            "  'connections': list(Connection.objects.values_list('name', 'schedule',"
            " 'password_env')),\n"
            "  'revisions': list(Organization.objects.values_list('data_revision',"
            " 'results_revision')),\n"
            "}))"
        ),
    )
    assert json.loads(found) == {
        "roles": [["nina", "acme", "viewer"]],
        "connections": [["pos", "daily", "POS_PASSWORD"]],
        "revisions": [[7, 7]],  # stored results were current: nothing recomputed
    }
    assert "No changes detected" in _django(tmp_path, "makemigrations", "--check", "--dry-run")
