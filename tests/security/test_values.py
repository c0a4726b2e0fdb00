"""Values: a finite range on every way in, numbers written only one way, and no page that
fails on a number stored before (or around) those rules."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.utils import override_settings
from openpyxl import Workbook

from tests.web.conftest import signed_in
from trellis.web.collection.services import reporting as collection
from trellis.web.observations.models import Observation
from trellis.web.results import services

pytestmark = pytest.mark.django_db


def _field() -> str:
    """The grid's field of Oslo's sales for the reporting month (a row the grid shows)."""
    return f"value__SALES_OSLO__{collection.reporting_label()}"


def _save(client: Client, value: str, confirm: bool = True):  # type: ignore[no-untyped-def]
    form = {_field(): value}
    if confirm:
        form["confirm"] = "1"
    return client.post("/data/updates/", form)


def _stored() -> float | None:
    found = Observation.objects.filter(
        measure__code="SALES_OSLO", period=collection.reporting_label()
    ).first()
    return None if found is None else found.value


@pytest.mark.parametrize(
    ("written", "problem"),
    [
        ("1e308", "1e308 is outside the allowed range (±1e15)"),
        ("-2e15", "-2e15 is outside the allowed range (±1e15)"),
        ("١٢٣", "is not a number (digits 0-9, a point for decimals, commas only between"),
        ("1_000", "is not a number"),
        ("1,2", "is not a number"),
        ("inf", "is not a number"),
    ],
)
def test_values_outside_the_range_or_written_otherwise_are_refused(
    written: str, problem: str
) -> None:
    client = signed_in("updater")
    before = _stored()
    response = _save(client, written)
    assert response.status_code == 400
    assert problem in response.content.decode()
    assert _stored() == before
    check = client.post("/data/updates/check/", {_field(): written})
    assert problem in check.content.decode()


@override_settings(TRELLIS_MAX_ABS_VALUE=1000.0)
def test_the_range_is_a_setting() -> None:
    client = signed_in("updater")
    response = _save(client, "1,001")
    assert "1,001 is outside the allowed range (±1000)" in response.content.decode()
    assert _save(client, "999.5").status_code == 302
    assert _stored() == 999.5


def _broken_workbook() -> bytes:
    book = Workbook()
    book.active.append(["measure", "period", "value"])
    book.active.append(["SALES_OSLO", "2026-03", 400])
    plain = io.BytesIO()
    book.save(plain)
    source = zipfile.ZipFile(io.BytesIO(plain.getvalue()))
    damaged = io.BytesIO()
    with zipfile.ZipFile(damaged, "w") as out:
        for part in source.infolist():
            data = source.read(part.filename)
            if part.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2] + b"<<<"
            out.writestr(part, data)
    return damaged.getvalue()


def test_a_workbook_with_malformed_xml_is_a_clear_refusal() -> None:
    client = signed_in("updater")
    response = client.post(
        "/data/imports/", {"file": SimpleUploadedFile("values.xlsx", _broken_workbook())}
    )
    assert response.status_code == 400
    assert "not a readable XLSX workbook (ParseError: not well-formed" in response.content.decode()


def test_a_zip_bomb_workbook_is_refused_before_it_is_unpacked() -> None:
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("[Content_Types].xml", b"<Types/>")
        out.writestr("xl/worksheets/sheet1.xml", b"\0" * (1100 * 1024**2))
    assert len(packed.getvalue()) < 2 * 1024**2
    response = signed_in("updater").post(
        "/data/imports/", {"file": SimpleUploadedFile("bomb.xlsx", packed.getvalue())}
    )
    assert response.status_code == 400
    assert "the workbook unpacks to more than 1,024 MB" in response.content.decode()


PAGES = [
    "/",
    "/exceptions/?period=2026-03",
    "/units/store_oslo/?period=2026-03",
    "/units/retail_north/?period=2026-03",
    "/units/acme/?period=2026-Q4",
    "/units/store_oslo/map/?period=2026-03",
    "/measures/SALES_OSLO/?period=2026-03",
    "/measures/REV_NORTH/?period=2026",
    "/objectives/OSL_F1/?period=2026-03",
    "/objectives/ACME_F1/?period=2026-Q4",
    "/data/updates/",
    "/data/export/?format=xlsx&layout=wide",
]


@pytest.mark.parametrize("value", [1e308, -1e308, 5e-324, 9.9e307, float("inf"), float("-inf")])
def test_no_page_fails_on_an_extreme_stored_number(value: float) -> None:
    # Stored before the range existed, or written straight into the database.
    Observation.objects.filter(measure__code="SALES_OSLO", period__startswith="2026").update(
        value=value
    )
    services.recompute()
    for who in ("admin", "viewer", "updater"):
        client = signed_in(who)
        for page in PAGES:
            hidden = who != "admin" and ("acme" in page or "ACME" in page)
            expected = 404 if hidden else 200
            if who == "viewer" and page == "/data/updates/":
                expected = 403  # a viewer enters no data
            assert client.get(page).status_code == expected, (who, page)
