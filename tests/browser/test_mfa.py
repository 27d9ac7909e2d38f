"""Two-step login in a real browser: a teacher whose trust requires it enrols on first login
(reads the key from the page, computes the code as an authenticator app would), keeps the
recovery codes, logs out, and logs in again with password + code. axe-core on each MFA page."""

import base64
import re

import pytest
from django_otp.oath import TOTP

from tests.browser.conftest import assert_accessible
from trustwide.trusts.models import MfaPolicy

pytestmark = pytest.mark.browser


def app_code(secret_text: str, steps_ahead: int = 0) -> str:
    key = base64.b32decode(re.sub(r"\s", "", secret_text))
    return f"{TOTP(key, drift=steps_ahead).token():06d}"


def test_enrol_on_first_login_then_log_in_with_password_and_code(live_server, page, world):
    world.trust_a.mfa_policy = MfaPolicy.PUPIL_AND_TRUST_ROLES
    world.trust_a.save()
    teacher = world.user("teacher")
    teacher.set_password("a-long-browser-password")
    teacher.save()

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email address").fill(teacher.email)
    page.get_by_label("Password").fill("a-long-browser-password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/account/two-step/**")
    assert page.get_by_role("heading", level=1, name="Set up two-step login").is_visible()
    assert page.get_by_role("img", name="QR code for your authenticator app").is_visible()
    assert_accessible(page, "mfa-enrol")
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code from the app").fill(app_code(secret))
    page.get_by_role("button", name="Turn on two-step login").click()
    assert page.get_by_role("heading", level=1, name="Two-step login is on").is_visible()
    codes = page.get_by_role("list", name="Recovery codes").locator("li").all_inner_texts()
    assert len(codes) == 10
    assert_accessible(page, "mfa-recovery-codes")
    page.get_by_role("link", name="I have kept my codes: continue").click()
    page.wait_for_url(f"{live_server.url}/")

    page.get_by_role("button", name="Log out").first.click()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email address").fill(teacher.email.upper())
    page.get_by_label("Password").fill("a-long-browser-password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/login/verify/**")
    assert_accessible(page, "mfa-verify")
    # The enrolment code is spent (no replay): the app's next code is accepted.
    page.get_by_label("Code").fill(app_code(secret, steps_ahead=1))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_text("A1 Primary").first.is_visible()
