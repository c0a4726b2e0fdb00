"""Sign-in by canonical name (``AUTHENTICATION_BACKENDS``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from trellis.web.accounts.names import person_named


class CanonicalNameBackend(ModelBackend):
    """Django's model backend, finding the person by the canonical form of the name typed
    (any case, white space around it, compatibility characters)."""

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kw: Any
    ) -> Any:
        if username is None:
            username = kw.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        user = person_named(username)
        if user is None:
            # As Django does: hash anyway, so that the time taken does not tell whether
            # the person exists.
            get_user_model()().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
