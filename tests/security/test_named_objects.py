"""Names shown beside codes (findings, exceptions) are only of what the reader may see."""

from __future__ import annotations

from tests.web.conftest import signed_in


def test_a_viewer_of_one_unit_gets_no_name_or_link_of_anything_outside_it(db: None) -> None:
    viewer = signed_in("viewer")  # Retail and below
    findings = viewer.get("/findings/").content.decode()
    exceptions = viewer.get("/exceptions/?period=2026-04").content.decode()
    for page in (findings, exceptions):
        for hidden in ('href="/measures/REVENUE/', 'href="/units/online/', "Web Shop", "acme"):
            assert hidden not in page, hidden
    assert 'href="/measures/SALES_OSLO/' in exceptions  # its own missing value is listed
