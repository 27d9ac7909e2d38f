"""Feed tokens (Wonde access tokens) at rest: Fernet, with its key derived by HKDF from
SECRET_KEY under this app's own label, so a feed token and an SSO client secret never share a
key. SECRET_KEY_FALLBACKS are tried when decrypting: rotate SECRET_KEY with the old key as a
fallback and saved tokens stay readable (saving a source again re-encrypts with the new key).
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PURPOSE = b"trustwide.feeds.source-token.v1"


class TokenUnreadable(Exception):
    """Encrypted under a key this deployment no longer has: the token must be entered again."""


def _key(secret_key: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE).derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def _ring() -> MultiFernet:
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_key(s) for s in secrets])


def seal(token: str) -> str:
    return _ring().encrypt(token.encode()).decode()


def unseal(sealed: str) -> str:
    try:
        return _ring().decrypt(sealed.encode()).decode()
    except InvalidToken as exc:
        raise TokenUnreadable(
            "The saved token cannot be read (SECRET_KEY changed without a fallback): "
            "enter it again on the source's page."
        ) from exc
