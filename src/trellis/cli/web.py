"""Commands of the web application: demo, serve, createuser, import/export, worker."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from trellis.cli.installation import DataDir, _fail, err, migrate, out, setup

DEMO_USERS = {
    "admin": ("admin", "acme"),
    "editor": ("editor", "acme"),
    "updater": ("updater", "retail"),
    "viewer": ("viewer", "retail"),
}
"""Demo user → (role, unit the role is held on)."""


def load_sample() -> None:
    """Import Acme with its 24 months of data and store the results."""
    from trellis.demo.acme import observations, scorecard_folder
    from trellis.web.observations.models import Observation
    from trellis.web.results import services
    from trellis.web.scorecards import services as definitions
    from trellis.web.scorecards.models import Measure

    definitions.import_scorecard(scorecard_folder())
    cal = services.calendar()
    ids = dict(Measure.objects.values_list("code", "pk"))
    Observation.objects.bulk_create(
        [
            Observation(
                measure_id=ids[code],
                period=period,
                end_month=cal.parse(period).end,
                value=value,
                source=Observation.Source.IMPORT,
            )
            for code, period, value in observations()
        ],
        batch_size=2000,
    )
    # The organization reports on the sample's last month (closed: every value is in);
    # values for the next one may be entered early (My updates, "next month").
    from trellis.demo.acme import FIRST_MONTH, MONTHS
    from trellis.web.scorecards.models import Organization

    Organization.objects.update(reporting_month=FIRST_MONTH + MONTHS - 1)
    services.recompute()


def load_medium(levels: int = 4, months: int = 36) -> None:
    """A synthetic organization with data: 4 levels, about 1,100 units and 25,000 measures;
    5 levels, about 11,100 units and 267,000 measures (rows written in bulk)."""
    import numpy as np
    from django.utils import timezone

    from trellis.demo import synthetic
    from trellis.engine.periods import month_label
    from trellis.web.core import bulk
    from trellis.web.observations.models import Observation
    from trellis.web.results import services
    from trellis.web.scorecards import services as definitions
    from trellis.web.scorecards.models import Measure

    spec = synthetic.build(levels=levels)
    definitions.store_spec(spec)
    reported = [i for i, m in enumerate(spec.measures) if m.source.value == "manual"]
    first = 2024 * 12
    grid = synthetic.observations_grid(len(spec.measures), np.array(reported), months)
    ids = dict(Measure.objects.values_list("code", "pk"))
    labels = [month_label(first + col) for col in range(months)]
    now = bulk.datetime_value(Observation, timezone.now())

    def rows() -> Iterator[tuple[object, ...]]:
        for row in reported:
            pk = ids[spec.measures[row].code]
            for col in np.flatnonzero(~np.isnan(grid[row])).tolist():
                value = round(float(grid[row, col]), 2)
                yield (pk, labels[col], first + col, value, "", "", "import", now)

    columns = ["measure_id", "period", "end_month", "value", "segment", "comment", "source"]
    bulk.insert_rows(Observation, [*columns, "changed_at"], rows())
    from trellis.web.scorecards.models import Organization

    Organization.objects.update(reporting_month=first + months - 1)  # the last month with data
    services.recompute()


def create_demo_connector(folder: Path) -> None:
    """A point-of-sale database beside the demo (``pos.sqlite3``: the Oslo Street store's
    weekly takings, which add up to its monthly sales) and the connection that reads it."""
    import sqlite3

    from trellis.web.connectors.services import runs as connectors
    from trellis.web.observations.models import Observation
    from trellis.web.scorecards.models import Measure

    path = folder / "pos.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE IF NOT EXISTS takings (store TEXT, day TEXT, amount REAL)")
        db.execute("DELETE FROM takings")
        for period, value in Observation.objects.filter(
            measure__code="SALES_OSLO", segment=""
        ).values_list("period", "value"):
            for day, share in (("03", 0.2), ("10", 0.25), ("17", 0.25), ("24", 0.3)):
                db.execute(
                    "INSERT INTO takings VALUES ('oslo', ?, ?)", (f"{period}-{day}", value * share)
                )
    connection = connectors.save_connection("acme-pos", f"sqlite:///{path}", timeout_seconds=10)
    connectors.save_query(
        connection,
        Measure.objects.get(code="SALES_OSLO"),
        "SELECT round(sum(amount), 2) AS value FROM takings WHERE store = 'oslo' "
        "AND day BETWEEN :period_start AND :period_end",
    )


def create_demo_users() -> None:
    """The four demo users (password ``demo``) with their roles."""
    from django.contrib.auth import get_user_model

    from trellis.web.core.models import Membership
    from trellis.web.scorecards.models import Unit

    users = get_user_model()
    for name, (role, unit) in DEMO_USERS.items():
        user, created = users.objects.get_or_create(username=name)
        if created:
            user.set_password("demo")
            user.is_staff = user.is_superuser = name == "admin"
            user.save()
        target = Unit.objects.filter(code=unit).first() or Unit.objects.filter(parent=None).first()
        Membership.objects.get_or_create(user=user, unit=target, role=role)


def register(app: typer.Typer) -> None:
    """Add the web commands to the ``trellis`` application."""

    @app.command()
    def demo(
        port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1.")] = 8000,
        data_dir: Annotated[Path, typer.Option("--data-dir", help="Data folder.")] = Path(
            "trellis-demo"
        ),
        no_serve: Annotated[bool, typer.Option("--no-serve", help="Prepare only.")] = False,
        size: Annotated[
            str,
            typer.Option(
                "--size",
                help="small: Acme; medium: ~1,100 units, ~25,000 measures; large: ~11,100 "
                "units, ~267,000 measures (both synthetic, 36 months)",
            ),
        ] = "small",
    ) -> None:
        """Create (or reuse) a demo installation with the sample organization and serve it."""
        if size not in ("small", "medium", "large"):
            raise _fail("--size is small, medium or large")
        setup(data_dir, demo=True)
        migrate()
        from trellis.web.scorecards.models import Organization

        if Organization.current() is None:
            if size in ("medium", "large"):
                out.print(f"Building the synthetic {size} organization (minutes)…")
                load_medium(levels=5 if size == "large" else 4)
            else:
                out.print("Loading the sample organization Acme (24 months of data)…")
                load_sample()
                create_demo_connector(data_dir.resolve())
        create_demo_users()
        if size == "large":
            # All 22,222 scorecards and maps would take a quarter of an hour: the top three
            # levels are rendered ahead, every other page when it is first asked for.
            from trellis.web.scorecards.models import Unit

            _warm(units=list(Unit.objects.filter(depth__lte=2).values_list("code", flat=True)))
        else:
            _warm()
        out.print(f"Trellis demo: http://127.0.0.1:{port}/  (data in {data_dir.resolve()})")
        out.print("Sign in as admin, editor, updater or viewer — password: demo")
        if not no_serve:
            _serve(port)

    @app.command()
    def serve(
        port: Annotated[int, typer.Option("--port")] = 8000,
        host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
        workers: Annotated[int, typer.Option("--workers", help="Worker processes.")] = 1,
        threads: Annotated[
            int | None,
            typer.Option("--threads", help="Request threads per process (TRELLIS_WEB_THREADS)."),
        ] = None,
        data_dir: DataDir = None,
    ) -> None:
        """Serve an installation (made, or migrated to this version, first)."""
        if threads is not None:
            if threads < 1:
                raise _fail("--threads is at least 1")
            os.environ["TRELLIS_WEB_THREADS"] = str(threads)
        setup(data_dir, create=True)
        migrate()
        out.print(f"Trellis: http://{host}:{port}/")
        _serve(port, host, workers)

    @app.command()
    def createuser(
        username: Annotated[str, typer.Argument()],
        role: Annotated[
            str, typer.Option("--role", help="admin, editor, updater or viewer")
        ] = "viewer",
        unit: Annotated[
            str | None, typer.Option("--unit", help="Unit code (default: the root)")
        ] = None,
        password: Annotated[
            str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)
        ] = "",
        data_dir: DataDir = None,
    ) -> None:
        """Add a person with a role on a unit and its subtree."""
        setup(data_dir)
        migrate()
        from django.contrib.auth import get_user_model
        from django.contrib.auth.password_validation import validate_password
        from django.core.exceptions import ValidationError

        from trellis.web.accounts.names import canonical, person_named
        from trellis.web.core.models import Membership
        from trellis.web.core.roles import Role
        from trellis.web.scorecards.models import Unit

        if role not in {r.value for r in Role}:
            known = ", ".join(r.value for r in Role)
            raise _fail(f"unknown role '{role}'; use one of {known}")
        target = (
            Unit.objects.filter(code=unit) if unit else Unit.objects.filter(parent=None)
        ).first()
        if target is None:
            raise _fail(f"no unit '{unit}'" if unit else "import a scorecard first")
        user = person_named(username)
        if user is not None and user.username != username:
            raise _fail(
                f"'{username}' is the name of the existing person '{user.username}' written "
                "another way; use that name to change them"
            )
        if user is None:
            if not canonical(username):
                raise _fail("the name is empty")
            user = get_user_model()(username=canonical(username))
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise _fail("the password is refused: " + " ".join(exc.messages)) from None
        user.set_password(password)
        user.is_staff = user.is_superuser = role == Role.ADMIN and target.parent is None
        user.save()
        Membership.objects.get_or_create(user=user, unit=target, role=role)
        out.print(f"{user.username}: {role} on {target.code}")

    @app.command()
    def sessions(
        revoke: Annotated[
            str | None,
            typer.Option("--revoke", help="End every session of this person (their name)."),
        ] = None,
        data_dir: DataDir = None,
    ) -> None:
        """List who has open sessions, or end one person's sessions (they must sign in
        again everywhere)."""
        setup(data_dir)
        migrate()
        from trellis.web.accounts.sessions import open_sessions
        from trellis.web.accounts.sessions import revoke as revoke_sessions

        if revoke is not None:
            ended = revoke_sessions(revoke)
            if ended is None:
                raise _fail(f"nobody is named '{revoke}'")
            out.print(f"Ended {ended} session(s) of {revoke.strip()}.")
            return
        listed = open_sessions()
        for name, count in listed:
            out.print(f"{name}: {count} session(s)")
        if not listed:
            out.print("No open sessions.")

    @app.command("import-scorecard")
    def import_scorecard(
        path: Annotated[Path, typer.Argument(help="Scorecard YAML file or folder.")],
        data_dir: DataDir = None,
    ) -> None:
        """Replace the stored definitions with a scorecard (checked first); in a new data
        folder or database, this makes the installation."""
        setup(data_dir, create=True)
        migrate()
        from trellis.cli import render
        from trellis.engine.findings import ScorecardError
        from trellis.web.results import services
        from trellis.web.scorecards import services as definitions

        if not path.exists():
            raise _fail(f"no such file or folder: {path}")
        try:
            findings = definitions.import_scorecard(path)
        except ScorecardError as exc:
            render.findings(err, exc.findings)
            raise typer.Exit(1) from None
        services.recompute()
        out.print(f"Imported {path} ({len(findings)} warning(s)/info(s)); results recomputed.")
        _warm()

    @app.command("warm-pages")
    def warm_pages(
        measures: Annotated[
            bool | None,
            typer.Option(
                "--measures/--no-measures",
                help="Also every measure page (default: TRELLIS_WARM_MEASURES).",
            ),
        ] = None,
        data_dir: DataDir = None,
    ) -> None:
        """Render every unit scorecard and strategy map (and with --measures every measure
        page) into the page cache ahead; pages already cached are skipped."""
        setup(data_dir)
        migrate()
        _warm(measures)

    @app.command("export-scorecard")
    def export_scorecard(
        directory: Annotated[Path, typer.Argument(help="Folder to write the YAML into.")],
        data_dir: DataDir = None,
    ) -> None:
        """Write the stored definitions as YAML (one file per unit)."""
        setup(data_dir)
        from trellis.web.scorecards import services as definitions

        written = definitions.export_scorecard(directory)
        out.print(f"Wrote {len(written)} files to {directory}/")


def _warm(measures: bool | None = None, units: list[str] | None = None) -> None:
    """Render pages ahead: of ``units`` (all when None)."""
    import time

    from trellis.web.results.warming import warm, with_measures

    start = time.perf_counter()
    count = warm(units, measures=measures)
    if count:
        seconds = time.perf_counter() - start
        pages = (
            "scorecards, strategy maps and measure pages"
            if with_measures(measures)
            else "scorecards and strategy maps"
        )
        out.print(f"Rendered the {pages} of {count} units ({seconds:.1f} s).")


def _serve(port: int, host: str = "127.0.0.1", workers: int = 1) -> None:
    import uvicorn
    from django.conf import settings

    # X-Forwarded-For/-Proto are believed from the trusted proxies only; without any, the
    # client address is the connection's (uvicorn would otherwise believe 127.0.0.1).
    trusted = settings.TRELLIS_TRUSTED_PROXIES
    uvicorn.run(
        "trellis.web.asgi:application",
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        lifespan="off",
        proxy_headers=bool(trusted),
        forwarded_allow_ips=",".join(trusted) if trusted else None,
        server_header=False,
    )
