"""Encrypt client secrets at rest with Fernet, keyed from SECRET_KEY through HKDF.

SECRET_KEY_FALLBACKS are tried when decrypting, so rotating SECRET_KEY (with the old key as
a fallback) keeps saved secrets readable; saving a provider again re-encrypts with the new key.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_INFO = b"trustwide.sso.client-secret.v1"


class SecretUnreadable(Exception):
    """The stored secret was encrypted under a key this deployment no longer has."""


def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def _keys() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(k) for k in keys])


def encrypt_secret(plain: str) -> str:
    return _keys().encrypt(plain.encode()).decode()


def decrypt_secret(token: str) -> str:
    try:
        return _keys().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable(
            "The saved client secret cannot be read (SECRET_KEY changed without a fallback): "
            "enter it again."
        ) from exc
