"""Keep stored results current: any change to observations or definitions, from any path
(admin, imports, the API later), queues a refresh once its transaction commits."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save

from trellis.web.core.quiet import is_quiet
from trellis.web.observations.models import Observation
from trellis.web.results import tasks
from trellis.web.scorecards.models import Measure, Objective, Organization, Unit


def _observation_changed(sender: Any, instance: Observation, **kwargs: Any) -> None:
    if kwargs.get("raw") or is_quiet():
        return
    deleted = kwargs.get("signal") is post_delete
    if deleted or instance.segment:
        # A deletion or a segment changes a total only the database knows: recompute it all.
        transaction.on_commit(tasks.recompute_all.enqueue)
        return
    change = [instance.measure.code, instance.period, instance.value]
    transaction.on_commit(lambda: tasks.refresh_observations.enqueue([change]))


def _definition_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw") or is_quiet():
        return
    Organization.objects.update(revision=F("revision") + 1)
    transaction.on_commit(tasks.recompute_all.enqueue)


def connect() -> None:
    """Connect the handlers (called once from the app config)."""
    post_save.connect(_observation_changed, sender=Observation, dispatch_uid="trellis-obs-save")
    post_delete.connect(_observation_changed, sender=Observation, dispatch_uid="trellis-obs-del")
    for model in (Unit, Objective, Measure):
        post_save.connect(
            _definition_changed, sender=model, dispatch_uid=f"trellis-def-{model.__name__}"
        )
