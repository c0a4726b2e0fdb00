"""Previewed uploads: never kept when refused, a few per person, for a limited time, for
their person only, and nothing of them in the session."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from tests.web.conftest import signed_in
from trellis.web.accounts.models import LoginAttempts, Session
from trellis.web.collection import tasks
from trellis.web.collection.models import PendingUpload
from trellis.web.collection.services import uploads
from trellis.web.observations.models import Observation

pytestmark = pytest.mark.django_db

GOOD = b"measure,period,value\nSALES_OSLO,2026-03,421\n"


def _upload(client: Client, content: bytes = GOOD, name: str = "values.csv"):  # type: ignore[no-untyped-def]
    return client.post("/data/imports/", {"file": SimpleUploadedFile(name, content)})


def test_a_viewers_upload_is_refused_and_not_kept(viewer_client: Client) -> None:
    response = _upload(viewer_client)
    assert response.status_code == 403
    assert b"<h1>Not allowed</h1>" in response.content
    assert PendingUpload.objects.count() == 0


def test_a_file_with_errors_is_not_kept() -> None:
    response = _upload(signed_in("updater"), b"measure,period,value\nSALES_OSLO,2026-03,lots\n")
    assert response.status_code == 400
    assert response.context["token"] == ""
    assert PendingUpload.objects.count() == 0


@override_settings(TRELLIS_PENDING_UPLOADS=3)
def test_a_person_keeps_at_most_a_few_previews_and_the_session_does_not_grow() -> None:
    client = signed_in("updater")
    sizes = []
    tokens = []
    for i in range(25):
        response = _upload(client, GOOD.replace(b"421", str(400 + i).encode()))
        assert response.status_code == 200
        tokens.append(response.context["token"])
        sizes.append(len(client.session.encode(dict(client.session.items()))))
    assert PendingUpload.objects.filter(user__username="updater").count() == 3
    assert len(set(sizes)) == 1
    # the oldest is gone, the newest imports
    old = client.post("/data/imports/", {"token": tokens[0]}, follow=True)
    assert b"That preview has expired or was replaced; upload the file again." in old.content
    assert Observation.objects.get(measure__code="SALES_OSLO", period="2026-03").value != 400
    client.post("/data/imports/", {"token": tokens[-1]})
    assert Observation.objects.get(measure__code="SALES_OSLO", period="2026-03").value == 424
    assert PendingUpload.objects.filter(user__username="updater").count() == 2


def test_someone_elses_preview_cannot_be_imported(admin_client: Client) -> None:
    token = _upload(signed_in("updater")).context["token"]
    response = admin_client.post("/data/imports/", {"token": token}, follow=True)
    assert b"That preview has expired or was replaced" in response.content
    assert PendingUpload.objects.filter(token=token).exists()


@override_settings(TRELLIS_UPLOAD_MINUTES=30)
def test_previews_expire() -> None:
    client = signed_in("updater")
    token = _upload(client).context["token"]
    PendingUpload.objects.update(created_at=timezone.now() - timedelta(minutes=31))
    response = client.post("/data/imports/", {"token": token}, follow=True)
    assert b"That preview has expired" in response.content
    assert uploads.remove_expired() == 1
    assert PendingUpload.objects.count() == 0


def test_housekeeping_removes_what_expired() -> None:
    client = signed_in("updater")
    _upload(client)
    Client().post("/login/", {"username": "updater", "password": "wrong"})
    PendingUpload.objects.update(created_at=timezone.now() - timedelta(days=1))
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    LoginAttempts.objects.update(last_at=timezone.now() - timedelta(days=1))
    assert tasks.housekeeping.call() == {"uploads": 1, "sessions": 1, "sign_in_counts": 1}
    assert tasks.housekeeping.call() == {"uploads": 0, "sessions": 0, "sign_in_counts": 0}
