"""Sign-in with throttling, and sign-out."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from trellis.web.accounts import throttle


class ThrottledLoginView(LoginView):
    """Django's sign-in, refusing further attempts for a while after repeated failures of
    a name (however it is written) from one client address. The address is the
    connection's: the server takes it from ``X-Forwarded-For`` only when the connection
    comes from a trusted proxy (``TRELLIS_TRUSTED_PROXIES``)."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = throttle.attempt_key(
            request.META.get("REMOTE_ADDR", ""), request.POST.get("username", "")
        )
        if not throttle.may_attempt(key):
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, _("Too many failed attempts. Try again in a few minutes."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        response = super().post(request, *args, **kwargs)
        if response.status_code != 200:  # not shown again: signed in
            throttle.succeeded(key)
        return response


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """Sign out (POST only, CSRF-protected)."""
    logout(request)
    return HttpResponseRedirect(resolve_url(settings.LOGOUT_REDIRECT_URL))
