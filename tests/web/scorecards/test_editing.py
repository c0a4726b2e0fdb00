"""Editors change a measure's definition on its page: checked, saved, recorded, recomputed."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.web.conftest import definition_text, signed_in
from trellis.web.results.models import MeasureSeries
from trellis.web.scorecards.models import Measure

pytestmark = pytest.mark.django_db

URL = "/measures/SALES_OSLO/edit/"


def _text(client: Client) -> str:
    return definition_text(client, "SALES_OSLO")


def test_only_editors_of_the_unit_see_the_edit_link_and_the_form(viewer_client: Client) -> None:
    editor = signed_in("editor")
    assert 'href="/measures/SALES_OSLO/edit/">Edit definition</a>' in (
        editor.get("/measures/SALES_OSLO/").content.decode()
    )
    assert "Edit definition" not in viewer_client.get("/measures/SALES_OSLO/").content.decode()
    assert viewer_client.get(URL).status_code == 404
    assert viewer_client.post(URL, {"definition": "code: SALES_OSLO"}).status_code == 404
    assert "name: Oslo Street sales" in _text(editor)


def test_a_valid_change_is_saved_recorded_and_recomputed(
    django_capture_on_commit_callbacks,
) -> None:  # type: ignore[no-untyped-def]
    editor = signed_in("editor")
    text = _text(editor).replace("name: Oslo Street sales", "name: Oslo Street net sales")
    before = MeasureSeries.objects.get(measure__code="SALES_OSLO", grain="month")
    assert "'2026': 5100.0" in text
    text = text.replace("'2026': 5100.0", "'2026': 9000.0")
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(URL, {"definition": text})
    assert (response.status_code, response["Location"]) == (302, "/measures/SALES_OSLO/")
    measure = Measure.objects.get(code="SALES_OSLO")
    assert measure.name == "Oslo Street net sales"
    assert measure.definition["target"]["by_period"] == {"2025": 4800.0, "2026": 9000.0}
    assert measure.definition["objective"] == measure.objective.code == "OSL_F1"
    latest = measure.history.order_by("-history_date").first()
    assert latest is not None and latest.history_user.username == "editor"
    after = MeasureSeries.objects.get(measure__code="SALES_OSLO", grain="month")
    i = after.periods.index("2026-03")
    assert (before.target[i], after.target[i]) == (5100 / 12, 9000 / 12)
    assert after.score[i] < before.score[i]
    page = editor.get("/measures/SALES_OSLO/").content.decode()
    assert "Definition of SALES_OSLO saved." in page


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda t: t.replace("name: Oslo Street sales", "name: [Oslo"), "line "),
        (
            lambda t: t.replace("'2026': 5100.0", "'2026': lots"),
            "measure SALES_OSLO: target.2026: Input should be a valid number",
        ),
        (lambda t: t + "colour: blue\n", "measure SALES_OSLO: colour: unknown key"),
        (lambda t: t.replace("code: SALES_OSLO", "code: SALES_X"), "it cannot change here"),
        (
            lambda t: t + "formula: NO_SUCH_MEASURE * 2\nsource: formula\n",
            "NO_SUCH_MEASURE",
        ),
    ],
)
def test_bad_definitions_are_refused_with_the_reason_and_change_nothing(
    change, expected: str
) -> None:  # type: ignore[no-untyped-def]
    editor = signed_in("editor")
    original = Measure.objects.get(code="SALES_OSLO").definition
    response = editor.post(URL, {"definition": change(_text(editor))})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Not saved" in page and expected in page
    assert Measure.objects.get(code="SALES_OSLO").definition == original
