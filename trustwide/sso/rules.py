"""Who may configure single sign-on, and every refusal message SSO shows (written once here)."""

from __future__ import annotations

from trustwide.access import Perm, can_in_trust

# Configuring a trust's sign-in decides who can get in, so it sits with managing people.
CONFIGURE_PERMISSION = Perm.MEMBERSHIP_MANAGE
NOT_ALLOWED = "Only the trust's administrators set up single sign-on."


def may_configure_sso(user, trust) -> bool:
    return can_in_trust(user, CONFIGURE_PERMISSION, trust.pk)


class Refusal:
    """Why a sign-in was refused: the code is stored in the audit row, the text is shown."""

    NO_PROVIDER = "no_provider"
    PROVIDER_ERROR = "provider_error"
    PROTOCOL = "protocol"
    NOT_VERIFIED = "email_not_verified"
    NOT_WORKSPACE = "not_workspace_account"
    DOMAIN = "domain_not_allowed"
    UNKNOWN_USER = "unknown_user"
    NO_ACTIVE_ROLE = "no_active_role"

    MESSAGES = {
        NO_PROVIDER: "Sign-in with a school account is not set up for this address. "
        "Log in with your email and password instead.",
        PROVIDER_ERROR: "Your school account provider did not complete the sign-in.",
        PROTOCOL: "The sign-in could not be checked (it may have expired or been opened twice). "
        "Start again from the log-in page.",
        NOT_VERIFIED: "Your school account provider did not confirm that your email address is "
        "verified, so Trustwide cannot tell whose account this is.",
        NOT_WORKSPACE: "This is not an account managed by your school's Google Workspace.",
        DOMAIN: "Your address is not in an email domain your trust's sign-in accepts.",
        UNKNOWN_USER: "There is no Trustwide account for your address. Signing in never creates "
        "one: ask your trust administrator to give you a role.",
        NO_ACTIVE_ROLE: "Your Trustwide account has no current role in this trust. Ask your trust "
        "administrator if you should still have access.",
    }

    @classmethod
    def message(cls, code: str) -> str:
        return cls.MESSAGES[code]
