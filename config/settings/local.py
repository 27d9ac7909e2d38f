"""Local runs (the demo, development): a secret key generated once into var/.

DEBUG is off unless a developer asks for it (TRUSTWIDE_DEBUG=1): `trustwide serve` and
`make demo` show the product's error pages, never Django's technical ones (which list every
URL and setting).
"""

import os
import secrets

from .base import *  # noqa: F403
from .base import VAR_DIR, env_bool


def _local_secret_key() -> str:
    key = os.environ.get("TRUSTWIDE_SECRET_KEY")
    if key:
        return key
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        # Exclusive create: two processes starting at once agree on one key.
        try:
            with open(path, "x", encoding="ascii") as handle:
                handle.write(secrets.token_urlsafe(50))
            os.chmod(path, 0o600)
        except FileExistsError:
            pass
    return path.read_text(encoding="ascii").strip()


SECRET_KEY = _local_secret_key()
DEBUG = env_bool("TRUSTWIDE_DEBUG", False)
