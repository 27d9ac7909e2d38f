"""Password hashing at the OWASP baseline, with a bound on how many hashes run at once.

OWASP Password Storage Cheat Sheet (checked December 2026,
https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html): "Use Argon2id
with a minimum configuration of 19 MiB of memory, an iteration count of 2, and 1 degree of
parallelism." Django's own Argon2 default is 100 MiB with parallelism 8, which cost about
100 MiB and several seconds per sign-in under load. The algorithm name stays "argon2", so
existing hashes still verify and Django re-hashes them at these parameters on the next
successful sign-in (must_update compares the parameters).

Each Argon2 computation holds 19 MiB for its duration; a burst of sign-ins (or of requests
with wrong passwords) could otherwise run one per thread at once. A process-wide semaphore
lets TRUSTWIDE_PASSWORD_CHECKS_AT_ONCE run together; a caller waits up to
TRUSTWIDE_PASSWORD_CHECK_WAIT_SECONDS, then gets PasswordChecksBusy, which the sign-in form and
IdleSessionMiddleware turn into a polite "try again" (503, Retry-After).
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher

BUSY_MESSAGE = "Many people are signing in at once. Please try again in a few seconds."


class PasswordChecksBusy(Exception):
    """No password-hashing slot came free within the wait."""


_lock = threading.Lock()
_slots: threading.BoundedSemaphore | None = None
_slots_size = 0


def _semaphore() -> threading.BoundedSemaphore:
    global _slots, _slots_size
    size = max(1, int(settings.TRUSTWIDE_PASSWORD_CHECKS_AT_ONCE))
    with _lock:
        if _slots is None or _slots_size != size:  # settings changed (tests)
            _slots, _slots_size = threading.BoundedSemaphore(size), size
        return _slots


@contextmanager
def hashing_slot():
    slots = _semaphore()
    if not slots.acquire(timeout=float(settings.TRUSTWIDE_PASSWORD_CHECK_WAIT_SECONDS)):
        raise PasswordChecksBusy(BUSY_MESSAGE)
    try:
        yield
    finally:
        slots.release()


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB: 19 MiB
    parallelism = 1

    def encode(self, password, salt):
        with hashing_slot():
            return super().encode(password, salt)

    def verify(self, password, encoded):
        with hashing_slot():
            return super().verify(password, encoded)
