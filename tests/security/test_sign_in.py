"""Sessions live on the server and end when they should; the sign-in throttle counts a name
however it is written."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.test import Client
from django.test.utils import override_settings

from tests.security.conftest import PASSWORD, client_of, person
from trellis.web.accounts.models import Session
from trellis.web.accounts.sessions import open_sessions, revoke

pytestmark = pytest.mark.django_db


def _copied(client: Client) -> Client:
    """Another browser holding a copy of the session cookie."""
    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return thief


def _signed_in(client: Client) -> bool:
    return client.get("/").status_code == 200


def test_a_copied_session_cookie_dies_with_sign_out() -> None:
    person("mona", "viewer", "retail")
    client = client_of("mona")
    thief = _copied(client)
    assert _signed_in(thief)
    assert Session.objects.filter(user__username="mona").count() == 1
    client.post("/logout/")
    assert not _signed_in(thief)
    assert Session.objects.filter(user__username="mona").count() == 0


def test_a_new_password_and_deactivation_end_every_session() -> None:
    mona = person("mona", "viewer", "retail")
    first, second = client_of("mona"), client_of("mona")
    mona.set_password("Another-Long-Secret-7")
    mona.save()
    assert not _signed_in(first) and not _signed_in(second)
    third = Client()
    assert third.login(username="mona", password="Another-Long-Secret-7")
    mona.is_active = False
    mona.save()
    assert not _signed_in(third)
    assert Session.objects.filter(user=mona).count() == 0


def test_an_administrator_revokes_sessions_from_the_command_line() -> None:
    person("mona", "viewer", "retail")
    client = client_of("mona")
    assert open_sessions() == [("mona", 1)]
    assert revoke(" MONA") == 1
    assert not _signed_in(client)
    assert revoke("nobody") is None


@override_settings(LOGIN_FAILURES_ALLOWED=5)
def test_the_throttle_counts_a_name_however_it_is_written() -> None:
    person("mona", "viewer", "retail")
    client = Client()
    for variant in ("mona", "mona ", " mona", "mona\t", "MONA"):
        response = client.post("/login/", {"username": variant, "password": "wrong"})
        assert response.status_code == 200
    for variant in ("mona", "ｍｏｎａ", " Mona", "mona\t"):
        response = client.post("/login/", {"username": variant, "password": PASSWORD})
        assert response.status_code == 429, variant
        assert b"Too many failed attempts" in response.content
    assert not _signed_in(client)


def test_every_way_of_writing_a_name_signs_in_as_the_same_person() -> None:
    mona = person("mona", "viewer", "retail")
    for variant in ("mona", "Mona ", "ｍｏｎａ"):
        client = Client()
        response = client.post("/login/", {"username": variant, "password": PASSWORD})
        assert response.status_code == 302, variant
        assert client.session[SESSION_KEY] == str(mona.pk)


def test_a_new_name_that_is_another_written_differently_is_refused() -> None:
    with pytest.raises(ValueError, match="already exists"):
        get_user_model().objects.create_user("ＶＩＥＷＥＲ ", password=PASSWORD)
    made = get_user_model().objects.create_user("  Kari.Nordmann", password=PASSWORD)
    assert made.username == "kari.nordmann"


def test_the_admin_refuses_weak_passwords(admin_client: Client) -> None:
    form = {"username": "olav", "usable_password": "true"}
    for weak, reason in (
        ("short1!", "at least 10 characters"),
        ("12345678901", "entirely numeric"),
        ("password123", "too common"),
    ):
        response = admin_client.post(
            "/admin/auth/user/add/", {**form, "password1": weak, "password2": weak}
        )
        assert response.status_code == 200
        assert reason in response.content.decode()
    assert not get_user_model().objects.filter(username="olav").exists()
    strong = "Ten-Chars-Or-More-7"
    made = admin_client.post(
        "/admin/auth/user/add/", {**form, "password1": strong, "password2": strong}
    )
    assert made.status_code == 302
    assert get_user_model().objects.filter(username="olav").exists()
