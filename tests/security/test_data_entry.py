"""Data entry tells a restricted person nothing about measures they may not enter: the row
check, the grid and imports answer a hidden code exactly as they answer one that does not
exist, and never compute anything from a hidden measure's values."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.security.conftest import without_tokens
from tests.web.conftest import signed_in
from trellis.web.observations.models import Observation

pytestmark = pytest.mark.django_db

UNKNOWN = "NO_SUCH_CODE"


def _row_check(client: Client, code: str, period: str, value: str) -> str:
    response = client.post("/data/updates/check/", {f"value__{code}__{period}": value})
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("who", "code", "period", "value"),
    [
        # an outlier on Online's gross profit once answered with its mean and deviation
        ("viewer", "GP_ONLINE", "2026-03", "1000000"),
        ("updater", "GP_ONLINE", "2026-03", "1000000"),
        # a quarterly measure of Online, given a month: "reports per quarter" told it exists
        ("updater", "DIGITAL_CERTS_ONLINE", "2026-03", "4"),
        # a computed measure of the enterprise
        ("updater", "GROSS_MARGIN", "2026-03", "40"),
        # a measure the viewer sees but may not enter
        ("viewer", "SALES_OSLO", "2026-03", "400"),
    ],
)
def test_the_row_check_answers_hidden_codes_like_unknown_ones(
    who: str, code: str, period: str, value: str
) -> None:
    client = signed_in(who)
    hidden = _row_check(client, code, period, value)
    unknown = _row_check(client, UNKNOWN, period, value)
    assert hidden.replace(code, UNKNOWN) == unknown
    assert "that you may enter data for" in unknown
    assert "sd" not in hidden and "mean" not in hidden


def test_the_grid_refuses_hidden_codes_like_unknown_ones() -> None:
    client = signed_in("updater")
    before = Observation.objects.filter(measure__code="GP_ONLINE").count()
    pages = []
    for code in ("GP_ONLINE", UNKNOWN):
        response = client.post("/data/updates/", {f"value__{code}__2026-03": "1000000"})
        assert response.status_code == 400
        pages.append(response.content.decode())
    assert without_tokens(pages[0]).replace("GP_ONLINE", UNKNOWN) == without_tokens(pages[1])
    assert Observation.objects.filter(measure__code="GP_ONLINE").count() == before


def test_an_import_refuses_hidden_codes_like_unknown_ones() -> None:
    client = signed_in("updater")
    answers = []
    for code in ("GP_ONLINE", "DIGITAL_CERTS_ONLINE", UNKNOWN):
        content = f"measure,period,value\n{code},2026-03,1000000\n".encode()
        response = client.post(
            "/data/imports/", {"file": SimpleUploadedFile("values.csv", content)}
        )
        assert response.status_code == 400
        page = response.content.decode()
        answers.append(without_tokens(page).replace(code, UNKNOWN))
    assert answers[0] == answers[1] == answers[2]
    assert (
        "row 2, column A (measure): no measure &#x27;NO_SUCH_CODE&#x27; that you may"
        in (answers[2])
    )
