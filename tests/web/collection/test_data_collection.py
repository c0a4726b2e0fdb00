"""Data collection through the web: imports (preview, commit, re-import, undo), bad files,
my updates with data rules, approvals, locks, export round trip and the data audit trail."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.test.utils import override_settings
from openpyxl import load_workbook

from tests.web.conftest import signed_in
from trellis.web.collection.services.undo import UndoRefused, undo
from trellis.web.observations.models import DataImport, Observation, PeriodLock, Submission
from trellis.web.scorecards.models import Measure

pytestmark = pytest.mark.django_db


def upload(client: Client, name: str, content: bytes, **extra: str):  # type: ignore[no-untyped-def]
    return client.post("/data/imports/", {"file": _file(name, content), **extra})


def _file(name: str, content: bytes):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def value(code: str, period: str) -> float | None:
    found = Observation.objects.filter(measure__code=code, period=period, segment="").first()
    return None if found is None else found.value


def test_import_preview_commit_reimport_and_undo(admin_client: Client) -> None:
    before = value("SALES_OSLO", "2026-03")
    data = b"measure,period,value\nSALES_OSLO,2026-03,420\nSALES_OSLO,2026-02,415\n"
    preview = upload(admin_client, "sales.csv", data)
    assert preview.status_code == 200
    assert b"2 value(s) read (long layout): 2 to write, 0 already stored." in preview.content
    assert value("SALES_OSLO", "2026-03") == before  # a preview writes nothing
    token = preview.context["token"]
    done = admin_client.post("/data/imports/", {"token": token}, follow=True)
    assert b"Imported sales.csv: 0 new, 2 changed" in done.content
    assert value("SALES_OSLO", "2026-03") == 420
    record = DataImport.objects.get()
    assert (record.updated, record.created, record.file_name) == (2, 0, "sales.csv")
    assert len(record.sha256) == 64

    again = upload(admin_client, "sales.csv", data)
    assert b"2 to write" not in again.content and b"0 to write, 2 already stored" in again.content

    undone = admin_client.post(f"/data/imports/{record.pk}/undo/", follow=True)
    assert b"Import undone: 2 value(s) put back." in undone.content
    assert value("SALES_OSLO", "2026-03") == before
    trail = admin_client.get("/history/measure/SALES_OSLO/", HTTP_HX_REQUEST="true")
    assert f"undo import:{record.pk}".encode() in trail.content
    assert f"import:{record.pk}".encode() in trail.content


HEAD = b"measure,period,value\n"
BAD_FILES = [
    ("h.csv", b"measure,when,value\nSALES_OSLO,2026-03,1\n", "missing column(s) period"),
    ("u.csv", HEAD + b"NOPE,2026-03,1\n", "row 2, column A (measure): unknown measure 'NOPE'"),
    ("p.csv", HEAD + b"SALES_OSLO,2026-13,1\n", "row 2, column B (period): '2026-13'"),
    ("n.csv", HEAD + b"SALES_OSLO,2026-03,lots\n",
     "row 2, column C (value): 'lots' is not a number"),
    ("f.csv", HEAD + b"SALES_OSLO,2026-Q4,1\n",
     "is a quarter but SALES_OSLO reports per month"),
    ("d.csv", HEAD + b"SALES_OSLO,2026-03,1\nSALES_OSLO,2026-03,2\n",
     "row 3, column B (period): duplicate of row 2"),
    ("e.csv", b"", "the file is empty"),
    ("x.xlsx", b"PK\x03\x04garbage", "not a readable XLSX workbook"),
    ("b.csv", b"\x00\x01\x02binary", "not a CSV file (binary content)"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "content", "message"), BAD_FILES)
def test_bad_files_are_refused_with_their_place_and_nothing_changes(
    admin_client: Client, name: str, content: bytes, message: str
) -> None:
    stored = Observation.objects.count()
    response = upload(admin_client, name, content)
    assert response.status_code == 400
    assert message.encode() in response.content.replace(b"&#x27;", b"'")
    assert Observation.objects.count() == stored
    assert DataImport.objects.count() == 0


def test_a_locked_period_refuses_imports(admin_client: Client) -> None:
    admin_client.post("/data/admin/", {"action": "lock", "period": "2026-03", "reason": "closed"})
    assert PeriodLock.objects.get().period == "2026-03"
    response = upload(admin_client, "l.csv", b"measure,period,value\nSALES_OSLO,2026-03,400\n")
    assert response.status_code == 400
    assert b"period 2026-03 is locked (2026-03); no value can be written" in response.content


@override_settings(TRELLIS_MAX_UPLOAD_BYTES=1000)
def test_an_upload_over_the_limit_is_refused_before_it_is_read(admin_client: Client) -> None:
    big = b"measure,period,value\n" + b"SALES_OSLO,2026-03,1\n" * 200
    response = upload(admin_client, "big.csv", big)
    assert response.status_code == 413
    assert b"The file is too large" in response.content


def test_a_viewer_may_not_import(viewer_client: Client) -> None:
    response = upload(viewer_client, "v.csv", b"measure,period,value\nSALES_OSLO,2026-03,400\n")
    assert response.status_code == 403
    assert b"<h1>Not allowed</h1>" in response.content
    assert b"Upload a file" not in response.content
    assert value("SALES_OSLO", "2026-03") != 400


MENU = (">My updates</a>", ">Import</a>", ">Approvals</a>")


@pytest.mark.parametrize(
    ("who", "shown", "pages"),
    [
        ("viewer", (), {"/data/updates/": 403, "/data/imports/": 403, "/data/approvals/": 403}),
        ("updater", MENU[:2],
         {"/data/updates/": 200, "/data/imports/": 200, "/data/approvals/": 403}),
        ("admin", MENU, {"/data/updates/": 200, "/data/imports/": 200, "/data/approvals/": 200}),
    ],
)  # fmt: skip
def test_the_menu_offers_only_the_data_pages_one_may_use(
    db: None, who: str, shown: tuple[str, ...], pages: dict[str, int]
) -> None:
    client = signed_in(who)
    for path in ("/", "/units/retail/", "/exceptions/"):  # cached pages and plain ones
        page = client.get(path).content.decode()
        assert tuple(item for item in MENU if item in page) == shown, (who, path)
    assert {path: client.get(path).status_code for path in pages} == pages


def test_a_steward_sees_approvals_without_an_administrator_role(db: None) -> None:
    Measure.objects.filter(code="SALES_OSLO").update(steward="viewer")
    page = signed_in("viewer").get("/units/retail/").content.decode()
    assert ">Approvals</a>" in page and ">My updates</a>" in page  # a steward enters data too


def test_my_updates_checks_rules_and_saves_all_or_nothing(db: None) -> None:
    client = signed_in("updater")  # updater of Retail: every Retail measure
    page = client.get("/data/updates/")
    assert page.status_code == 200
    assert b"Reporting month: <strong>2026-03</strong>" in page.content  # every value is in
    assert b'name="value__NPS_RETAIL__2026-04"' not in page.content
    assert b'<a href="?period=2026-04">Enter values for 2026-04 early</a>' in page.content
    page = client.get("/data/updates/?period=2026-04")
    assert b"<strong>Entering values for 2026-04</strong>" in page.content
    assert b'name="value__NPS_RETAIL__2026-04"' in page.content
    posted = client.post(
        "/data/updates/?period=2026-04",
        {"value__NPS_RETAIL__2026-04": "12.5", "value__SALES_OSLO__2026-04": "400"},
    )
    assert posted.status_code == 400
    assert b"12.5 is not a whole number" in posted.content
    assert value("SALES_OSLO", "2026-04") is None  # all or nothing
    entry = {"value__NPS_RETAIL__2026-04": "20", "comment__NPS_RETAIL__2026-04": "new survey"}
    asked = client.post("/data/updates/?period=2026-04", entry)
    assert asked.status_code == 400
    assert b"confirm it is right" in asked.content
    assert value("NPS_RETAIL", "2026-04") is None
    ok = client.post("/data/updates/?period=2026-04", {**entry, "confirm": "1"}, follow=True)
    assert b"Saved: 1 value(s) written" in ok.content
    assert value("NPS_RETAIL", "2026-04") == 20
    assert Observation.objects.get(measure__code="NPS_RETAIL", period="2026-04").source == "form"


def test_approval_keeps_values_pending_until_the_steward_decides(admin_client: Client) -> None:
    upload_ok = upload(admin_client, "gp.csv", b"measure,period,value\nGP_RETAIL,2026-04,600\n")
    admin_client.post("/data/imports/", {"token": upload_ok.context["token"]})
    assert value("GP_RETAIL", "2026-04") is None
    submission = Submission.objects.get()
    assert submission.state == "pending"
    refused = admin_client.post(
        "/data/approvals/", {"submission": submission.pk, "decision": "reject"}, follow=True
    )
    assert b"say why the values are rejected" in refused.content
    admin_client.post("/data/approvals/", {"submission": submission.pk, "decision": "approve"})
    assert value("GP_RETAIL", "2026-04") == 600
    submission.refresh_from_db()
    assert submission.state == "approved"


def test_export_round_trips_through_import(admin_client: Client) -> None:
    exported = admin_client.get("/data/export/?format=xlsx&layout=wide")
    assert exported.status_code == 200
    sheet = load_workbook(io.BytesIO(exported.content)).worksheets[0]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert header[:2] == ["measure", "name"]
    again = upload(admin_client, "wide.xlsx", exported.content)
    assert again.status_code == 200
    assert b"0 to write" in again.content


def test_data_admin_is_for_admins_only(viewer_client: Client, admin_client: Client) -> None:
    assert viewer_client.get("/data/admin/").status_code == 404
    page = admin_client.get("/data/admin/")
    assert page.status_code == 200
    assert b"Data quality by owner" in page.content
    stale = {code for q in page.context["quality"] for code in q.stale_items}
    assert stale == {"ENGAGEMENT", "MARKET_SHARE"}  # withheld in the sample: see demo/acme.py


def test_new_values_carry_their_history_and_undo_removes_them(admin_client: Client) -> None:
    assert value("SALES_OSLO", "2026-06") is None
    preview = upload(admin_client, "june.csv", HEAD + b"SALES_OSLO,2026-06,425\n")
    admin_client.post("/data/imports/", {"token": preview.context["token"]})
    record = DataImport.objects.get()
    assert (record.created, record.updated) == (1, 0)
    stored = Observation.objects.get(measure__code="SALES_OSLO", period="2026-06")
    rows = list(
        Observation.history.filter(id=stored.pk).values_list(
            "history_type", "history_change_reason", "history_user__username", "value"
        )
    )
    assert rows == [("+", record.reason, "admin", 425.0)]
    assert stored.changed_by.username == "admin"
    undo(record, None)
    assert value("SALES_OSLO", "2026-06") is None
    assert Observation.history.filter(id=stored.pk).latest("history_id").history_type == "-"


def test_overlapping_imports_checked_together_commit_one_after_the_other() -> None:
    """Two imports checked before either commits (as two people previewing at once): the
    second commit plans again under the lock, so it neither loses nor doubles a value and
    its undo puts back what the first wrote."""
    from trellis.web.collection.services import data

    before = value("SALES_OSLO", "2026-02")
    first = data.check_file(
        "a.csv", HEAD + b"SALES_OSLO,2026-01,401\nSALES_OSLO,2026-02,402\n", None
    )
    second = data.check_file(
        "b.csv", HEAD + b"SALES_OSLO,2026-02,412\nSALES_OSLO,2026-03,413\n", None
    )
    assert [c.old for c in second.changes if c.period == "2026-02"] == [before]
    a = data.commit(first, None, "import")
    b = data.commit(second, None, "import")
    assert (a.updated, b.updated) == (2, 2)
    assert Observation.objects.filter(measure__code="SALES_OSLO", period="2026-02").count() == 1
    assert [value("SALES_OSLO", p) for p in ("2026-01", "2026-02", "2026-03")] == [401, 412, 413]
    assert b.record is not None and a.record is not None
    with pytest.raises(UndoRefused) as refused:
        undo(a.record, None)  # the second import changed one of its values since
    assert str(refused.value) == (
        "values changed after this import: SALES_OSLO 2026-02; undo those first"
    )
    undo(b.record, None)
    assert value("SALES_OSLO", "2026-02") == 402  # what the first import wrote, not `before`
    undo(a.record, None)
    assert value("SALES_OSLO", "2026-02") == before


def test_my_updates_checks_each_row_while_typing(db: None) -> None:
    client = signed_in("updater")
    page = client.get("/data/updates/")
    assert b'hx-post="/data/updates/check/"' in page.content
    bad = client.post("/data/updates/check/", {"value__NPS_RETAIL__2026-04": "12.5"})
    assert bad.content.decode().startswith(
        '<span class="error">12.5 is not a whole number</span><br><span class="warning">'
    )
    odd = client.post("/data/updates/check/", {"value__NPS_RETAIL__2026-04": "20"})
    assert '<span class="warning">20 is beyond 3 standard deviations' in odd.content.decode()
    fine = client.post(
        "/data/updates/check/",
        {"value__SALES_OSLO__2026-04": "420", "comment__SALES_OSLO__2026-04": ""},
    )
    assert fine.content.decode().strip() == '<span class="ok">looks right</span>'
    other = client.post("/data/updates/check/", {"value__REV_NORTH__2026-04": "1"})
    assert "is computed (rollup)" in other.content.decode()
    assert value("SALES_OSLO", "2026-04") is None  # checking writes nothing


def test_the_row_checked_is_the_one_that_changed(db: None) -> None:
    client = signed_in("updater")
    form = {"value__SALES_OSLO__2026-04": "420", "value__NPS_RETAIL__2026-04": "12.5"}
    checked = client.post(
        "/data/updates/check/",
        form,
        HTTP_HX_REQUEST="true",
        HTTP_HX_TRIGGER_NAME="value__NPS_RETAIL__2026-04",
    )
    assert "12.5 is not a whole number" in checked.content.decode()
    assert client.post("/data/updates/check/", form).content == b""  # which row? none


@override_settings(TASKS_IN_WORKER=True, TRELLIS_WORKER_IMPORT_BYTES=0)
def test_with_a_worker_a_large_file_is_imported_by_it_and_listed_until_done(
    admin_client: Client,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    from trellis.web.collection.models import PendingUpload
    from trellis.web.collection.tasks import import_upload

    data = b"measure,period,value\nSALES_OSLO,2026-03,421\n"
    preview = upload(admin_client, "big.csv", data)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        answer = admin_client.post("/data/imports/", {"token": preview.context["token"]})
    assert answer.status_code == 302
    assert value("SALES_OSLO", "2026-03") != 421  # nothing written by the request
    page = admin_client.get("/data/imports/")
    assert b"big.csv \xe2\x80\x94 queued at" in page.content
    assert len(queued) == 1
    pending = PendingUpload.objects.get()
    # the worker's run (here, at once), then a second run of the same job: nothing more
    assert import_upload.call(pending.pk) == "big.csv: 0 new, 1 changed, 0 pending"
    assert import_upload.call(pending.pk) == "already imported"
    assert value("SALES_OSLO", "2026-03") == 421
    assert DataImport.objects.filter(file_name="big.csv").count() == 1
    assert b"queued at" not in admin_client.get("/data/imports/").content


@override_settings(TASKS_IN_WORKER=True, TRELLIS_WORKER_IMPORT_BYTES=0)
def test_a_queued_import_the_data_no_longer_allows_is_refused_and_says_why(
    admin_client: Client,
) -> None:
    from trellis.web.collection.models import PendingUpload
    from trellis.web.collection.services import approval, uploads
    from trellis.web.collection.tasks import import_upload

    data = b"measure,period,value\nSALES_OSLO,2026-03,422\n"
    preview = upload(admin_client, "late.csv", data)
    admin_client.post("/data/imports/", {"token": preview.context["token"]})
    pending = PendingUpload.objects.get()
    approval.lock_period("2026-03", signed_in_user("admin"), "closed")  # locked meanwhile
    outcome = import_upload.call(pending.pk)
    assert outcome.startswith("refused: ")
    assert value("SALES_OSLO", "2026-03") != 422
    page = admin_client.get("/data/imports/").content.decode()
    assert "late.csv — <strong>not imported:</strong>" in page
    assert uploads.waiting_in_queue() == []  # a refused one is not run again
    uploads.remove_expired()
    assert PendingUpload.objects.count() == 1  # kept to say why, until it expires


def signed_in_user(name: str):  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=name)


def test_values_entered_early_never_move_the_period_pages_show(db: None) -> None:
    client = signed_in("updater")
    early = {"value__SALES_OSLO__2026-04": "401", "value__SALES_BERGEN__2026-04": "398"}
    saved = client.post("/data/updates/?period=2026-04", {**early, "confirm": "1"})
    assert saved.status_code == 302
    assert value("SALES_OSLO", "2026-04") == 401
    home = signed_in("viewer").get("/")
    assert home.context["period"].label == "2026-03"  # the reporting month, not April
    wrong = client.get("/data/updates/?period=2026-Q2")
    assert b"&#x27;2026-Q2&#x27; is not a month; showing the reporting month" in wrong.content


def test_import_problems_name_their_row_once(admin_client: Client) -> None:
    response = upload(admin_client, "n.csv", HEAD + b"SALES_OSLO,2026-03,lots\n")
    page = response.content.decode()
    assert "<li>row 2, column C (value): " in page
    assert "row 2: row 2" not in page


def test_earlier_values_in_my_updates_use_the_measures_decimals(db: None) -> None:
    Observation.objects.filter(measure__code="SALES_OSLO", period="2026-02").update(value=566.0)
    page = signed_in("updater").get("/data/updates/?period=2026-04").content.decode()
    assert '<span title="2026-02">2026-02: 566</span>' in page  # decimals: 0
    assert "566.0" not in page
