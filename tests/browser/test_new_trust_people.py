"""A new trust's people, in a real browser, from an empty deployment: `createtrust` emails the
administrator an invitation; they set a password (and two-step login, which the trust requires
of trust roles by default), bulk-invite a headteacher from a CSV file, and the head follows the
emailed link, sets a password and two-step login, and sees their school. axe-core on each page."""

import base64
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django_otp.oath import TOTP

from tests.browser.conftest import assert_accessible
from tests.world import make_school
from trustwide.trusts.models import Trust

pytestmark = pytest.mark.browser


def _app_code(secret_text: str) -> str:
    key = base64.b32decode(re.sub(r"\s", "", secret_text))
    return f"{TOTP(key).token():06d}"


def _link_in_last_email_to(address: str) -> str:
    message = [m for m in mail.outbox if m.to == [address]][-1]
    return re.search(r"https?://\S+/invitation/\S+", message.body).group(0)


def _accept_invitation(page, link: str, password: str, shot: str) -> None:
    page.goto(link)
    assert page.get_by_role("heading", level=1, name="Set your password").is_visible()
    assert_accessible(page, f"{shot}-set-password")
    page.get_by_label(re.compile(r"^New password\W*$")).fill(password)
    page.get_by_label(re.compile(r"^New password confirmation")).fill(password)
    page.get_by_role("button", name="Continue").click()
    # The trust's default policy asks trust roles and pupil-data roles for a second factor.
    page.wait_for_url("**/account/two-step/**")
    page.get_by_label("Code from the app").fill(
        _app_code(page.locator("#totp-secret").inner_text())
    )
    page.get_by_role("button", name="Turn on two-step login").click()
    page.get_by_role("link", name="I have kept my codes: continue").click()
    page.wait_for_url("**/")


def test_new_trust_invites_its_administrator_who_invites_a_head_by_csv(
    live_server, browser, transactional_db, tmp_path
):
    call_command(
        "createtrust",
        "Heathfield Schools Trust",
        admin_email="admin@heathfield.example",
        admin_name="Robin Admin",
        site_url=live_server.url,
        stdout=open("/dev/null", "w"),
    )
    trust = Trust.objects.get(slug="heathfield-schools-trust")
    # Schools come from issue 16's other items (GIAS import, school pages); made directly here.
    school = make_school(trust, name="Kingfisher Primary Academy", urn=149001)

    admin_page = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-GB"
    ).new_page()
    _accept_invitation(
        admin_page,
        _link_in_last_email_to("admin@heathfield.example"),
        "Kestrel-orchard-1987",
        "admin",
    )
    assert admin_page.get_by_text("Heathfield Schools Trust").first.is_visible()

    admin_page.goto(f"{live_server.url}/trusts/{trust.slug}/people/")
    assert admin_page.get_by_role("heading", name="What each role may do").is_visible()
    assert_accessible(admin_page, "people-with-role-table")
    admin_page.get_by_role("link", name="Add staff from a CSV file").click()
    assert_accessible(admin_page, "staff-bulk-add")
    staff = tmp_path / "heathfield-staff.csv"
    staff.write_text(
        "name,email,role,school_urn,start_date\n"
        f"Jo Head,jo.head@heathfield.example,headteacher,{school.urn},\n"
    )
    admin_page.get_by_label("Staff CSV file").set_input_files(str(staff))
    admin_page.get_by_role("button", name="Check and add").click()
    admin_page.wait_for_url(f"**/trusts/{trust.slug}/people/")
    assert admin_page.get_by_text("Added 1 role from heathfield-staff.csv").is_visible()
    assert (
        admin_page.get_by_role("row", name=re.compile("Jo Head"))
        .get_by_text("Not yet accepted")
        .is_visible()
    )

    head_page = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-GB"
    ).new_page()
    link = _link_in_last_email_to("jo.head@heathfield.example")
    _accept_invitation(head_page, link, "Plover-meadow-4415", "head")
    assert head_page.get_by_role("link", name="Kingfisher Primary Academy").first.is_visible()
    assert_accessible(head_page, "head-home-after-invitation")

    # The link worked once.
    head_page.context.clear_cookies()
    head_page.goto(link)
    assert head_page.get_by_role("heading", level=1, name="This link has expired").is_visible()
    admin_page.reload()
    assert (
        admin_page.get_by_role("row", name=re.compile("Jo Head"))
        .get_by_text("Accepted")
        .is_visible()
    )
