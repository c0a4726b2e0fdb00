"""People's names are stored in their canonical form, and their sessions end when their
password changes or they are deactivated."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models.signals import pre_save
from django.dispatch import receiver

from trellis.web.accounts.names import canonical, person_named
from trellis.web.accounts.sessions import end_sessions

WATCHED = {"password", "is_active"}


@receiver(pre_save, sender=get_user_model())
def canonical_name(sender: Any, instance: Any, **_: Any) -> None:
    """A new person's name is stored canonical; one that is another's name written another
    way is refused (the forms and ``trellis createuser`` say so before it comes to this)."""
    if not instance._state.adding:
        return
    name = canonical(instance.username)
    if not name or person_named(name) is not None:
        raise ValueError(f"a person named {instance.username!r} already exists, or it is empty")
    instance.username = name


@receiver(pre_save, sender=get_user_model())
def end_sessions_on_change(sender: Any, instance: Any, update_fields: Any = None, **_: Any) -> None:
    """Before a person is saved with a new password or deactivated, end their sessions (in
    the same transaction: if the save fails, they stay)."""
    if instance.pk is None or (update_fields is not None and not WATCHED & set(update_fields)):
        return
    before = sender.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if before is None:
        return
    if before["password"] != instance.password or (before["is_active"] and not instance.is_active):
        end_sessions(instance)
