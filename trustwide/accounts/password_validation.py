"""Password rules that know our User: it has full_name and email, not first_name/last_name,
so Django's similarity validator must be told which attributes to compare, and a name run
together with a year ("rosagill2026") is refused outright."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError


def _letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", (text or "").lower())


class NameInPasswordValidator:
    """Refuses a password that contains the person's name or the name part of their email,
    ignoring case, spaces, dots, digits and symbols (rosagill2026, Rosa.Gill!!, gill-rosa-99)."""

    min_part = 3

    def validate(self, password, user=None):
        if user is None:
            return
        letters = _letters(password)
        words = [
            w for w in re.split(r"[^a-z]+", (getattr(user, "full_name", "") or "").lower()) if w
        ]
        local = (getattr(user, "email", "") or "").split("@")[0].lower()
        candidates = {_letters(local), "".join(words), "".join(reversed(words))}
        candidates |= {w for w in words if len(w) >= 5}
        for candidate in candidates:
            if len(candidate) >= self.min_part and candidate in letters:
                raise ValidationError(
                    "The password contains your name or email address: choose words nobody "
                    "could guess from who you are.",
                    code="password_contains_name",
                )

    def get_help_text(self):
        return "Your password cannot contain your name or email address."
