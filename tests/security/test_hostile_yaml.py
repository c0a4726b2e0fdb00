"""An alias bomb posted to the measure editor is refused at once with a located error, and
the definition is left as it was."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.engine.test_yaml_source import BOMB
from tests.web.conftest import signed_in
from trellis.web.scorecards.models import Measure

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (BOMB, "line 6, column 4: aliases expand the document by more than 100,000 nodes"),
        ("code: SALES_OSLO\nx: &x [1, *x]\n", "an alias refers to a node that contains it"),
        ("code: SALES_OSLO\nx: " + "[" * 3000 + "]" * 3000, "nest deeper than 100 levels"),
        ("code: SALES_OSLO\nname: " + "x" * 70_000, "longer than 65,536 characters"),
    ],
)
def test_the_editor_refuses_hostile_yaml(text: str, expected: str) -> None:
    editor: Client = signed_in("editor")
    before = Measure.objects.get(code="SALES_OSLO").definition
    response = editor.post("/measures/SALES_OSLO/edit/", {"definition": text})
    assert response.status_code == 400
    assert expected in response.content.decode()
    assert Measure.objects.get(code="SALES_OSLO").definition == before
