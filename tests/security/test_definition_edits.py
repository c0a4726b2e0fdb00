"""An editor restricted to Retail cannot reach Online or the enterprise through a definition:
not by a formula, a cascade, a roll-up weight or by moving a measure; and what they are told
never tells a hidden code from one that does not exist."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.web.conftest import definition_text
from trellis.engine.findings import Finding, Severity
from trellis.web.results import services
from trellis.web.scorecards import services as definitions
from trellis.web.scorecards.models import Measure
from trellis.web.scorecards.services.scope import HIDDEN_CONFLICT, redact, scope_of

pytestmark = pytest.mark.django_db


def _post(client: Client, code: str, change: Callable[[str], str]) -> tuple[int, str]:
    text = change(definition_text(client, code))
    response = client.post(f"/measures/{code}/edit/", {"definition": text})
    return response.status_code, response.content.decode()


def _problems(page: str) -> str:
    return page[page.index("Not saved") : page.index("</section>")]


def test_the_restricted_editor_still_edits_their_own_measures(retail_editor: Client) -> None:
    status, _page = _post(
        retail_editor, "GM_RETAIL", lambda t: t.replace("name: Store gross margin", "name: Margin")
    )
    assert status == 302
    assert Measure.objects.get(code="GM_RETAIL").name == "Margin"
    # REV_RETAIL cascades from the enterprise's REVENUE, which this editor cannot see:
    # a reference that was already there is kept.
    status, _page = _post(
        retail_editor, "REV_RETAIL", lambda t: t.replace("name: Store revenue", "name: Sales")
    )
    assert status == 302
    assert Measure.objects.get(code="REV_RETAIL").definition["cascades_from"] == {
        "measure": "REVENUE",
        "mode": "contributing",
    }


@pytest.mark.parametrize(
    ("hidden", "unknown", "change"),
    [
        # a formula reading Online's gross profit
        (
            "GP_ONLINE",
            "GP_NOWHERE",
            lambda t, c: t.replace("formula: GP_RETAIL / REV_RETAIL * 100", f"formula: {c} * 1"),
        ),
        # moving the measure into Online's scorecard
        ("ONL_L1", "NOWHERE_L1", lambda t, c: t + f"objective: {c}\n"),
        # cascading from (and so inheriting from) a measure of Online
        (
            "GM_ONLINE",
            "GM_NOWHERE",
            lambda t, c: t.replace("measure: GROSS_MARGIN", f"measure: {c}"),
        ),
    ],
)
def test_references_to_hidden_objects_are_refused_like_unknown_codes(
    retail_editor: Client, hidden: str, unknown: str, change: Callable[[str, str], str]
) -> None:
    before = Measure.objects.get(code="GM_RETAIL")
    status, page = _post(retail_editor, "GM_RETAIL", lambda t: change(t, hidden))
    assert status == 400
    refused_hidden = _problems(page)
    status, page = _post(retail_editor, "GM_RETAIL", lambda t: change(t, unknown))
    assert status == 400
    refused_unknown = _problems(page)
    assert "unknown" in refused_hidden
    assert refused_hidden.replace(hidden, unknown) == refused_unknown
    after = Measure.objects.get(code="GM_RETAIL")
    assert (after.definition, after.objective_id) == (before.definition, before.objective_id)


def test_a_roll_up_weight_from_another_unit_is_refused(retail_editor: Client) -> None:
    def weighted(t: str) -> str:
        return t + "rollup: {method: weighted_average, weight_measure: CUSTOMERS_ONLINE}\n"

    status, page = _post(retail_editor, "NPS_RETAIL", weighted)
    assert status == 400
    assert "rollup.weight_measure refers to unknown measure &#x27;CUSTOMERS_ONLINE&#x27;" in page


def test_a_kept_hidden_reference_cannot_be_changed(retail_editor: Client) -> None:
    status, page = _post(
        retail_editor,
        "REV_RETAIL",
        lambda t: t.replace("mode: contributing", "mode: identical"),
    )
    assert status == 400
    problems = _problems(page)
    assert "cascades_from names a measure outside your part of the organization" in problems
    assert "REVENUE" not in problems
    assert Measure.objects.get(code="REV_RETAIL").definition["cascades_from"]["mode"] == (
        "contributing"
    )


def test_a_measure_moves_inside_the_editors_subtree(retail_editor: Client) -> None:
    status, _page = _post(retail_editor, "CSAT_NORTH", lambda t: t + "objective: RET_C1\n")
    assert status == 302
    moved = Measure.objects.select_related("objective", "unit").get(code="CSAT_NORTH")
    assert (moved.objective.code, moved.unit.code) == ("RET_C1", "retail")


def test_findings_naming_hidden_codes_are_replaced() -> None:
    scope = scope_of(get_user_model().objects.get(username="viewer"))
    found = [
        Finding("circular-dependency", Severity.ERROR, "GP_RETAIL → GROSS_PROFIT → GP_RETAIL"),
        Finding("under-commitment", Severity.WARNING, "short of its target", "REVENUE"),
        Finding("unknown-reference", Severity.ERROR, "formula refers to unknown 'X'", "GM_RETAIL"),
        Finding("circular-dependency", Severity.ERROR, "REV_ONLINE → REVENUE"),
    ]
    shown = redact(found, scope)
    assert [(f.code, f.severity, f.object) for f in shown] == [
        (HIDDEN_CONFLICT, Severity.ERROR, ""),
        (HIDDEN_CONFLICT, Severity.WARNING, ""),
        ("unknown-reference", Severity.ERROR, "GM_RETAIL"),
    ]
    assert all("REVENUE" not in f.message and "GROSS" not in f.message for f in shown)


def test_explanations_keep_no_numbers_of_hidden_inputs(
    admin_client: Client, viewer_client: Client
) -> None:
    # An administrator makes a Retail measure read the enterprise's revenue.
    text = definition_text(admin_client, "GM_RETAIL")
    definitions.update_measure(
        "GM_RETAIL", text.replace("GP_RETAIL / REV_RETAIL * 100", "GP_RETAIL / REVENUE * 100")
    )
    services.recompute()
    period = "2026-03"
    revenue = services.engine().results.explain("REVENUE", period).value
    assert revenue is not None
    shown = f"value {revenue:,.4f}".rstrip("0").rstrip(".")
    admin_page = admin_client.get(f"/measures/GM_RETAIL/?period={period}").content.decode()
    assert f"input REVENUE (Revenue)  {shown}" in admin_page
    page = viewer_client.get(f"/measures/GM_RETAIL/?period={period}").content.decode()
    assert "input (not visible to you)" in page
    assert shown not in page
    assert "input GP_RETAIL (Store gross profit)" in page
