"""People: their sessions and their sign-in attempts (roles live in ``core``, beside the
permission filter that reads them)."""

from __future__ import annotations

from trellis.web.accounts.sessions import Session
from trellis.web.accounts.throttle import LoginAttempts

__all__ = ["LoginAttempts", "Session"]
