"""Roles and what each may do. A role is held on a unit and covers its whole subtree."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    """The four roles, from most to least powerful."""

    ADMIN = "admin"
    EDITOR = "editor"
    UPDATER = "updater"
    VIEWER = "viewer"


ROLE_CHOICES = [
    (Role.ADMIN.value, _("Administrator")),
    (Role.EDITOR.value, _("Editor (definitions)")),
    (Role.UPDATER.value, _("Updater (data)")),
    (Role.VIEWER.value, _("Viewer")),
]


class Action(StrEnum):
    """What a user wants to do with an object."""

    VIEW = "view"
    EDIT_DEFINITIONS = "edit_definitions"
    ENTER_DATA = "enter_data"
    APPROVE_DATA = "approve_data"
    ADMINISTER = "administer"


ALLOWED: dict[str, tuple[str, ...]] = {
    Action.VIEW: (Role.ADMIN, Role.EDITOR, Role.UPDATER, Role.VIEWER),
    Action.EDIT_DEFINITIONS: (Role.ADMIN, Role.EDITOR),
    Action.ENTER_DATA: (Role.ADMIN, Role.EDITOR, Role.UPDATER),
    Action.APPROVE_DATA: (Role.ADMIN,),
    Action.ADMINISTER: (Role.ADMIN,),
}
"""Roles that allow each action (on the unit of the membership and its subtree). Besides
roles, a measure's owner and data steward may enter its data and its steward approves it
(models name those fields in ``person_fields``)."""
