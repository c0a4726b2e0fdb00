"""Pages: what each role sees, security, query counts, status in words."""

from __future__ import annotations

import itertools
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.web.conftest import signed_in
from trellis.web.results import services
from trellis.web.scorecards.models import Unit

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/units/acme/",
    "/units/acme/map/",
    "/objectives/ACME_F1/",
    "/objectives/ACME_F1/cascade/",
    "/measures/GROSS_MARGIN/",
    "/findings/",
    "/exceptions/",
]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_needs_a_session(url: str, client: Client) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={url}"


@pytest.mark.parametrize("url", PAGES)
def test_every_page_renders_for_an_admin(url: str, admin_client: Client) -> None:
    response = admin_client.get(url)
    assert response.status_code == 200
    assert response["Content-Security-Policy"].startswith("default-src 'self'")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_viewer_sees_only_their_subtree(viewer_client: Client) -> None:
    assert viewer_client.get("/units/retail/").status_code == 200
    assert viewer_client.get("/units/store_oslo/").status_code == 200
    assert viewer_client.get("/measures/SALES_OSLO/").status_code == 200
    for url in (
        "/units/online/",
        "/units/acme/",
        "/measures/REVENUE/",
        "/objectives/ONL_F1/",
        "/units/supply/map/",
        "/objectives/ACME_F1/cascade/",
    ):
        assert viewer_client.get(url).status_code == 404, url
    home = viewer_client.get("/").content.decode()
    assert "Retail North" in home and "Online" not in home and "Supply Chain" not in home


def test_the_unit_scorecard_shows_numbers_status_words_and_flags(admin_client: Client) -> None:
    page = admin_client.get("/units/acme/?period=2026-03").content.decode()
    assert "Market share" in page
    market = page[page.index("Market share") :]
    market = market[: market.index("</tr>")]
    assert "(stale)" in market
    assert re.search(r"status status-(green|amber|red)", page)
    assert "Off target" in page or "Near target" in page or "On target" in page
    assert "Learning &amp; Growth" in page


def test_a_bad_period_is_reported_not_fatal(admin_client: Client) -> None:
    page = admin_client.get("/units/acme/?period=2026-13").content.decode()
    assert "&#x27;2026-13&#x27; is not a period; showing the reporting month 2026-03" in page


def test_names_are_rendered_inert(admin_client: Client) -> None:
    Unit.objects.filter(code="retail").update(name="<script>alert(1)</script>")
    for url in ("/", "/units/retail/", "/units/store_oslo/"):
        page = admin_client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_query_counts_do_not_grow_with_the_number_of_measures(admin_client: Client) -> None:
    services.prepare()  # as a server process does when it starts: not a page's queries
    # Three business units with 6, 8 and 10 measures: the same number of queries.
    counts = {
        u: _queries(admin_client, f"/units/{u}/?period=2026-03")
        for u in ("retail", "supply", "online")
    }
    assert len(set(counts.values())) == 1, counts
    objective_counts = {
        o: _queries(admin_client, f"/objectives/{o}/") for o in ("OSL_F1", "ACME_F1", "ACME_L1")
    }
    assert len(set(objective_counts.values())) == 1, objective_counts


def test_login_is_throttled_after_repeated_failures(client: Client) -> None:
    for _ in range(settings.LOGIN_FAILURES_ALLOWED):
        response = client.post("/login/", {"username": "editor", "password": "wrong"})
        assert response.status_code == 200
    response = client.post("/login/", {"username": "editor", "password": "demo"})
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()


def test_passwords_are_hashed_with_argon2_and_debug_is_off() -> None:
    from django.contrib.auth import get_user_model

    assert get_user_model().objects.get(username="admin").password.startswith("argon2")
    assert settings.DEBUG is False


def test_the_demo_sign_in_page_says_it_is_a_demo(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.TRELLIS_DEMO = True
    assert "password <code>demo</code>" in client.get("/login/").content.decode()
    settings.TRELLIS_DEMO = False
    assert "password <code>demo</code>" not in client.get("/login/").content.decode()


def test_sign_out_needs_a_post(admin_client: Client) -> None:
    assert admin_client.get("/logout/").status_code == 405
    assert admin_client.post("/logout/").status_code == 302
    assert admin_client.get("/").status_code == 302


def test_history_is_visible_on_the_page(admin_client: Client) -> None:
    unit = Unit.objects.get(code="store_oslo")
    unit.name = "Store manager: Oslo Street (acting)"
    unit.save()
    page = admin_client.get("/units/store_oslo/").content.decode()
    assert 'hx-get="/history/unit/store_oslo/"' in page  # loaded when scrolled into view
    fragment = admin_client.get("/history/unit/store_oslo/", headers={"HX-Request": "true"})
    text = fragment.content.decode()
    assert text.startswith('<section aria-labelledby="history-title"')
    assert "Store manager: Oslo Street → Store manager: Oslo Street (acting)" in text
    assert "<html" in admin_client.get("/history/unit/store_oslo/").content.decode()
    assert admin_client.get("/history/planet/store_oslo/").status_code == 404


def test_signed_in_client_helper() -> None:
    assert signed_in("editor").get("/").status_code == 200


def _change_oslo_sales(capture_on_commit) -> None:  # type: ignore[no-untyped-def]
    """Save a new March value of Oslo's sales (452) and run what its commit queues."""
    from trellis.web.observations.models import Observation

    observation = Observation.objects.get(measure__code="SALES_OSLO", period="2026-03")
    with capture_on_commit(execute=True):
        observation.value = 452
        observation.save()


def test_a_data_change_shows_on_the_cached_page(
    admin_client: Client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    url = "/measures/SALES_OSLO/?period=2026-03"
    before = admin_client.get(url).content.decode()
    assert "actual <strong>452</strong>" not in before  # the page is now cached
    _change_oslo_sales(django_capture_on_commit_callbacks)
    assert "actual <strong>452</strong> EUR k" in admin_client.get(url).content.decode()


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_a_data_change_keeps_other_units_pages_and_renders_the_changed_ones_ahead(
    admin_client: Client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from trellis.web.results import services

    services.engine()  # this process's evaluation is current, as in a running server
    vienna, oslo = "/units/store_vienna/", "/units/store_oslo/"
    first = _queries(admin_client, vienna)
    cached = _queries(admin_client, vienna)
    assert cached < first
    _queries(admin_client, oslo)
    _change_oslo_sales(django_capture_on_commit_callbacks)
    # Vienna's results did not change: its page is still the cached one.
    assert _queries(admin_client, vienna) == cached
    # Oslo's did: its page was rendered again after the refresh, before anyone asked.
    assert _queries(admin_client, oslo) == cached
    row = '/measures/SALES_OSLO/">Oslo Street sales</a></th><td class="number">452 <span'
    assert row in admin_client.get(oslo).content.decode()
    north = "/units/retail_north/map/"
    assert _queries(admin_client, north) == _queries(admin_client, north)


def test_pages_are_not_rendered_ahead_when_switched_off(
    admin_client: Client, django_capture_on_commit_callbacks, settings
) -> None:  # type: ignore[no-untyped-def]
    from trellis.web.results import services

    services.engine()
    settings.TRELLIS_WARM_PAGES = "off"
    oslo = "/units/store_oslo/"
    _queries(admin_client, oslo)
    cached = _queries(admin_client, oslo)
    _change_oslo_sales(django_capture_on_commit_callbacks)
    assert _queries(admin_client, oslo) > cached


def test_warm_renders_every_unit_once() -> None:
    from trellis.web.results.warming import warm

    assert warm() == Unit.objects.count() == 22
    client = signed_in("admin")
    for url in ("/units/acme/", "/units/online_service/map/"):
        assert _queries(client, url) == _queries(client, url)


def test_warm_renders_the_measure_pages_of_the_units_when_asked() -> None:
    from trellis.web.results.warming import warm

    assert warm(["store_oslo"], measures=True) == 1
    client = signed_in("admin")
    oslo, vienna = "/measures/SALES_OSLO/", "/measures/SALES_VIENNA/"
    assert _queries(client, oslo) == _queries(client, oslo)  # rendered ahead
    assert _queries(client, vienna) > _queries(client, vienna)  # not: Vienna was not asked


def test_with_a_worker_the_measure_pages_of_changed_units_are_rendered_ahead(
    admin_client: Client, django_capture_on_commit_callbacks, settings
) -> None:  # type: ignore[no-untyped-def]
    from trellis.web.results import services

    services.engine()
    settings.TRELLIS_WARM_MEASURES = True
    url = "/measures/SALES_OSLO/"
    _queries(admin_client, url)
    cached = _queries(admin_client, url)
    _change_oslo_sales(django_capture_on_commit_callbacks)
    assert _queries(admin_client, url) == cached
    assert "actual <strong>452</strong>" in admin_client.get(url).content.decode()


def test_the_measure_page_lists_its_data_newest_first_with_the_source(
    admin_client: Client,
) -> None:
    from trellis.web.core.templatetags.trellis import num
    from trellis.web.observations.models import Observation

    latest = Observation.objects.filter(measure__code="SALES_OSLO", period="2026-03")
    latest.update(source="api", comment="from the till")
    page = admin_client.get("/measures/SALES_OSLO/").content.decode()
    rows = re.findall(
        r'<tr><td>([^<]*)</td><td>([^<]*)</td><td class="number">([^<]*)</td>'
        r"<td>([^<]*)</td><td>([^<]*)</td></tr>",
        page[page.index('id="data-title"') :],
    )
    value = num(latest.get().value, 0)
    assert rows[0] == ("2026-03", "", value, "from the till", "API")
    assert (rows[1][0], rows[1][4]) == ("2026-02", "import")
    assert len(rows) == Observation.objects.filter(measure__code="SALES_OSLO").count()


def test_the_measure_page_shows_its_control_chart(admin_client: Client) -> None:
    from trellis.engine.analytics import spc
    from trellis.web.results.models import MeasureSeries

    series = MeasureSeries.objects.get(measure__code="SALES_VIENNA", grain="month")
    values = [float("nan") if v is None else v for v in series.value]
    last = max(i for i, v in enumerate(series.value) if v is not None)
    chart = spc.xmr(values[: last + 1])
    expected = spc.signals(values[: last + 1], chart.center, chart.sigma)
    page = admin_client.get("/measures/SALES_VIENNA/?period=2026-03").content.decode()
    assert "Process control (XmR)" in page
    assert page.count("Western Electric rule") == len(expected)
    assert f"{series.periods[expected[0].index]}: Western Electric rule {expected[0].rule}" in page


def test_the_measure_page_shows_capability_against_its_specification(
    admin_client: Client,
) -> None:
    from trellis.engine.analytics import capability
    from trellis.web.core.templatetags.trellis import index
    from trellis.web.results.models import MeasureSeries

    series = MeasureSeries.objects.get(measure__code="INVENTORY_DAYS", grain="month")
    values = [float("nan") if v is None else v for v in series.value]
    expected = capability.capability(values, lsl=25, usl=45, target=35)
    outside = capability.expected_dpmo(expected.mean, expected.sigma_overall, 25, 45)
    page = admin_client.get("/measures/INVENTORY_DAYS/?period=2026-03").content.decode()
    assert "Process capability" in page
    assert "Specification from 25.0 up to 45.0, aimed at 35.0" in page
    assert f'Cpk</th><td class="number">{index(expected.cpk)}</td>' in page
    assert f'Ppk</th><td class="number">{index(expected.ppk)}</td>' in page
    assert f"{outside:.0f} per million" in page
    assert "Process capability" not in admin_client.get("/measures/SALES_VIENNA/").content.decode()


def test_the_strategy_map_shows_the_evidence_of_its_arrows(admin_client: Client) -> None:
    from trellis.engine.analytics import evidence
    from trellis.web.results import services

    expected = evidence.link(services.engine().results, "ACME_C2", "ACME_F1")
    page = admin_client.get("/units/acme/map/").content.decode()
    line = f"evidence: r = {expected.r:.2f} ({expected.driver_measure} → {expected.driven_measure}"
    assert line in page
    assert page.count("evidence: r =") + page.count("no pair of measures") == 7


def test_the_exceptions_page(admin_client: Client, viewer_client: Client) -> None:
    from trellis.web.results.models import MeasureSeries

    page = admin_client.get("/exceptions/?period=2026-03").content.decode()
    market = page[page.index(">Market share</a>") :]
    assert "stale" in market[: market.index("</tr>")]
    red = [
        s.measure.name
        for s in MeasureSeries.objects.filter(grain="month").select_related("measure")
        if s.status[s.periods.index("2026-03")] == "red"
    ]
    from django.utils.html import escape

    assert red and all(f">{escape(name)}</a>" in page for name in red)
    assert "special cause (Western Electric rule" in page
    retail_only = viewer_client.get("/exceptions/?period=2026-03").content.decode()
    assert ">Market share</a>" not in retail_only  # an enterprise measure, outside the scope


def test_the_cascade_lists_every_supporting_objective_down_the_tree(admin_client: Client) -> None:
    page = admin_client.get("/objectives/ACME_F1/cascade/").content.decode()
    rows = re.findall(r'class="indent-(\d)"><a href="/objectives/(\w+)/"', page)
    assert rows == [
        ("0", "ACME_F1"),
        ("1", "ONL_F1"),
        ("2", "WEB_F1"),
        ("3", "HOME_F1"),
        ("3", "FASH_F1"),
        ("1", "RET_F1"),
        ("2", "RN_F1"),
        ("3", "OSL_F1"),
        ("3", "BRG_F1"),
        ("2", "RS_F1"),
        ("3", "MUC_F1"),
        ("3", "VIE_F1"),
    ]


def test_periods_are_named_in_the_fiscal_calendar(admin_client: Client) -> None:
    page = admin_client.get("/units/retail/?period=2026-Q4").content.decode()
    assert '<span id="period-name" class="period-name">FY2026 Q4 · Jan–Mar 2026</span>' in page
    assert "</span> · FY2026 Q4 · Jan–Mar 2026" in page  # the summary line
    home = admin_client.get("/").content.decode()  # the reporting month
    assert '<span id="period-name" class="period-name">Mar 2026</span>' in home


def test_the_unit_page_shows_each_perspectives_weight_and_share(admin_client: Client) -> None:
    page = admin_client.get("/units/acme/?period=2026-Q4").content.decode()
    shares = re.findall(r'<p class="weight">Weight ([\d.]+) · ([\d.]+)% of the unit', page)
    # Financial weighs 1.5, the others 1 (organization.yaml): 1.5 / 4.5 and 1 / 4.5.
    assert shares == [("1.50", "33.3"), ("1.00", "22.2"), ("1.00", "22.2"), ("1.00", "22.2")]


def test_the_organization_page_and_the_admin_list_units_in_tree_order(
    admin_client: Client,
) -> None:
    from trellis.web.scorecards.models import Unit

    parent = dict(Unit.objects.values_list("code", "parent__code"))
    home = admin_client.get("/").content.decode()
    listed = re.findall(r'<a href="/units/([a-z_]+)/">', home)
    admin = admin_client.get("/admin/scorecards/unit/").content.decode()
    in_admin = re.findall(r'<a href="/admin/scorecards/unit/\d+/change/">([a-z_]+)</a>', admin)

    def line(code: str | None) -> list[str | None]:  # the unit and its ancestors
        return [code] + (line(parent[code]) if code is not None else [])

    for order in (list(dict.fromkeys(listed)), in_admin):
        assert len(order) >= 10 and order[0] == "acme"
        assert order.index("online_service") < order.index("supply")  # not under Supply
        # Depth first: each unit's parent is the unit before it or one of its ancestors.
        for before, unit in itertools.pairwise(order):
            assert parent[unit] in line(before), (before, unit)


def test_exceptions_list_missing_values_with_each_measures_decimals_and_unit(
    admin_client: Client,
) -> None:
    page = admin_client.get("/exceptions/?period=2026-04").content.decode()  # nothing yet
    row = re.search(r'<tr><th scope="row"><a href="/measures/SALES_OSLO/.*?</tr>', page)
    assert row is not None
    assert "missing: no value for this period yet" in row.group(0)
    assert '<a href="/measures/REV_NORTH/' not in page  # a roll-up: its inputs are listed
    march = admin_client.get("/exceptions/?period=2026-03").content.decode()
    for code, shown in (("REVENUE", "2,965 EUR k"), ("GROSS_MARGIN", "36.7 %")):
        row = re.search(rf'<a href="/measures/{code}/.*?</tr>', march)
        assert row is not None and f'<td class="number">{shown}</td>' in row.group(0)


def test_findings_name_and_link_what_they_are_about(admin_client: Client) -> None:
    page = admin_client.get("/findings/").content.decode()
    assert '<a href="/measures/REVENUE/">Revenue</a> <span class="code">REVENUE</span>' in page


def test_the_organization_page_counts_units_off_target_below_each_row(
    admin_client: Client,
) -> None:
    one_tier = admin_client.get("/?levels=1&period=2026-Q4").content.decode()
    # cat_fashion, retail_south, store_vienna, supply_transport, planner_west (trellis score)
    assert '<td class="number">5 units</td>' in one_tier
    two = admin_client.get("/?levels=2&period=2026-Q4").content.decode()
    counts = dict(
        re.findall(
            r'<a href="/units/([a-z_]+)/">.*?<td class="number">([^<]+)</td>\s*</tr>', two, re.S
        )
    )
    assert counts == {
        "acme": "5 units",
        "online": "1 unit",
        "retail": "2 units",
        "supply": "2 units",
    }
    only = admin_client.get("/?only=off&levels=3&period=2026-Q4").content.decode()
    listed = re.findall(r'<th scope="row" class="indent-\d"><a href="/units/([a-z_]+)/">', only)
    everything = re.findall(
        r'<th scope="row" class="indent-\d"><a href="/units/([a-z_]+)/">',
        admin_client.get("/?levels=3&period=2026-Q4").content.decode(),
    )
    assert set(listed) < set(everything)
    # online_web has cat_fashion (red) below; online_service and its agents are all amber
    assert "online_web" in listed and "retail_south" in listed and "online_service" not in listed
