"""The Django admin shows definitions and data but cannot change them around the services;
a unit's path (the permission key) follows its parent on every write."""

from __future__ import annotations

import pytest
from django.test import Client

from trellis.web.observations.models import Observation
from trellis.web.results.models import ObjectiveSeries
from trellis.web.scorecards.models import Objective, Unit

pytestmark = pytest.mark.django_db


def test_definitions_are_read_only_in_the_admin(admin_client: Client) -> None:
    objective = Objective.objects.get(code="RET_F1")
    url = f"/admin/scorecards/objective/{objective.pk}/change/"
    assert admin_client.get(url).status_code == 200  # shown
    score = ObjectiveSeries.objects.get(objective=objective, grain="month").score
    response = admin_client.post(url, {"code": "RET_F1", "name": "x", "weight": "50"})
    assert response.status_code == 403
    assert Objective.objects.get(pk=objective.pk).weight == objective.weight
    assert ObjectiveSeries.objects.get(objective=objective, grain="month").score == score
    for path in ("scorecards/unit", "scorecards/measure", "scorecards/link"):
        assert admin_client.get(f"/admin/{path}/add/").status_code == 403
    unit = Unit.objects.get(code="store_oslo")
    moved = admin_client.post(
        f"/admin/scorecards/unit/{unit.pk}/change/",
        {"code": "store_oslo", "name": "Oslo", "parent": Unit.objects.get(code="online").pk},
    )
    assert moved.status_code == 403
    assert Unit.objects.get(pk=unit.pk).path == "/acme/retail/retail_north/store_oslo/"


def test_data_is_read_only_in_the_admin(admin_client: Client) -> None:
    value = Observation.objects.filter(measure__code="SALES_OSLO").first()
    assert value is not None
    url = f"/admin/observations/observation/{value.pk}/change/"
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {"value": "1e12"}).status_code == 403
    assert (
        admin_client.post(f"/admin/observations/observation/{value.pk}/delete/").status_code == 403
    )
    assert Observation.objects.get(pk=value.pk).value == value.value
    assert admin_client.get("/admin/observations/observation/add/").status_code == 403
    # roles are still given in the admin
    assert admin_client.get("/admin/core/membership/add/").status_code == 200


def test_a_moved_unit_takes_its_subtree_and_path_along() -> None:
    north = Unit.objects.get(code="retail_north")
    north.parent = Unit.objects.get(code="online")
    north.save()
    paths = dict(
        Unit.objects.filter(code__in=["retail_north", "store_oslo", "store_bergen"]).values_list(
            "code", "path"
        )
    )
    assert paths == {
        "retail_north": "/acme/online/retail_north/",
        "store_oslo": "/acme/online/retail_north/store_oslo/",
        "store_bergen": "/acme/online/retail_north/store_bergen/",
    }
    assert Unit.objects.get(code="store_oslo").depth == 3


def test_a_unit_cannot_move_under_its_own_subtree() -> None:
    retail = Unit.objects.get(code="retail")
    retail.parent = Unit.objects.get(code="store_oslo")
    with pytest.raises(ValueError, match="unit retail cannot move under its own subtree"):
        retail.save()
    assert Unit.objects.get(code="retail").path == "/acme/retail/"
