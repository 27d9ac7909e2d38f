"""Login throttling on top of django-axes.

Two rules: an email address (normalised: stripped, lower-case, as login matches it) is
locked from one network address after AXES_FAILURE_LIMIT failures; and a network address is
locked after TRUSTWIDE_LOGIN_ADDRESS_FAILURE_LIMIT failures across every email (higher,
because a whole school can share one address), so cycling through address variants or
accounts gives no unlimited guesses. Failed second-factor codes count as failures too
(`record_failure`)."""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db.models import Sum


def normalise_username(value) -> str:
    return str(value or "").strip().lower()


def axes_username(request, credentials) -> str:
    """AXES_USERNAME_CALLABLE: the same email in any case or padding is one account."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        value = credentials.get(field)
    else:
        value = request.POST.get(field) if request is not None else None
    return normalise_username(value)


def _failures(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class TrustwideAxesHandler(AxesDatabaseHandler):
    """AXES_LOCKOUT_PARAMETERS is [["username", "ip_address"], "ip_address"]: the first query
    counts one account from one address, the second every account from that address."""

    def get_failures(self, request, credentials=None) -> int:
        per_account, per_address = (
            _failures(q) for q in self.get_user_attempts(request, credentials)
        )
        if per_address >= settings.TRUSTWIDE_LOGIN_ADDRESS_FAILURE_LIMIT:
            return max(per_account, settings.AXES_FAILURE_LIMIT)
        return per_account

    def reset_user_attempts(self, request, credentials=None) -> int:
        # A successful login clears that account's failures only; otherwise an attacker could
        # wipe the address's count by logging in to an account of their own now and then.
        account_attempts = self.filter_user_attempts(request, credentials)[0]
        count, _ = account_attempts.delete()
        return count


def is_locked(request, email: str) -> bool:
    return AxesProxyHandler.is_locked(request, {settings.AXES_USERNAME_FORM_FIELD: email})


def record_failure(request, email: str) -> None:
    """Count a failed attempt (e.g. a wrong second-factor code) exactly as a wrong password."""
    user_login_failed.send(
        sender=__name__, credentials={settings.AXES_USERNAME_FORM_FIELD: email}, request=request
    )


def clear_failures(request, email: str) -> None:
    """After a correct second factor: that account's failures from this address are forgiven
    (as a correct password forgives them with AXES_RESET_ON_SUCCESS)."""
    AxesProxyHandler.update_request(request)
    AxesProxyHandler.get_implementation().reset_user_attempts(
        request, {settings.AXES_USERNAME_FORM_FIELD: email}
    )
