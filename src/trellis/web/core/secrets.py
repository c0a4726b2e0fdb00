"""Secrets stored in the database (connection passwords) are encrypted with Fernet
(AES-128-CBC with an HMAC) under the installation's credential key, never kept in clear.

The key comes from ``TRELLIS_CREDENTIAL_KEY`` or is generated once into the data folder
(``credential_key``, readable by its owner only). It is separate from Django's secret key so
that rotating sessions does not lose the stored passwords; losing it does, and the message
says to enter them again.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


class SecretError(Exception):
    """A stored secret cannot be read with this installation's key."""


def _key() -> bytes:
    explicit = os.environ.get("TRELLIS_CREDENTIAL_KEY")
    if explicit:
        return explicit.encode()
    path = Path(settings.DATA_DIR) / "credential_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(Fernet.generate_key())
        path.chmod(0o600)
    return path.read_bytes().strip()


def _fernet() -> Fernet:
    try:
        return Fernet(_key())
    except ValueError as exc:
        raise SecretError(
            "the credential key (TRELLIS_CREDENTIAL_KEY or credential_key in the data folder) "
            "is not a valid Fernet key: 32 url-safe base64-encoded bytes"
        ) from exc


def encrypt(secret: str) -> str:
    """The secret, encrypted (text safe to store)."""
    return _fernet().encrypt(secret.encode()).decode()


def decrypt(token: str) -> str:
    """The secret an :func:`encrypt` token holds."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretError(
            "the stored password cannot be decrypted with this installation's credential key; "
            "enter it again"
        ) from exc


def masked(secret: str) -> str:
    """How a secret is shown back: never in full, only that one is set."""
    return "••••••••" if secret else ""
