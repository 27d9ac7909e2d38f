"""Issue 16 end to end, in a real browser, from an empty deployment: `trustwide createtrust`;
the administrator sets a password, imports the trust's schools from a GIAS-format file, adds a
hub and next year with its terms, and invites a headteacher by CSV, who sets a password, sees
their school and writes this year's plan; then the administrator turns the year over, and the
head's plan for this year reads exactly as before while next year's draft carries its open
action. The walk is timed; a screenshot of each step goes to TRUSTWIDE_SHOTS (if set)."""

import os
import re
import time
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.browser.conftest import ARTIFACTS, assert_accessible
from tests.browser.test_new_trust_people import _accept_invitation, _link_in_last_email_to
from trustwide.audit.models import AuditEvent
from trustwide.evaluation.models import SelfEvaluation
from trustwide.planning.models import Action, SchoolPlan
from trustwide.trusts.models import AcademicYear, Trust
from trustwide.trusts.tests.gias_files import establishment, gias_bytes
from trustwide.trusts.utils import current_academic_start_year, year_label

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("TRUSTWIDE_SHOTS") or ARTIFACTS / "trust-year")


def _new_page(browser):
    return browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB").new_page()


def _save(page, url) -> None:
    """Press Save and wait for the redirect; if the form stays, fail with its error messages."""
    page.get_by_role("button", name="Save").click()
    try:
        page.wait_for_url(re.compile(re.escape(url) + r"(#.*)?$"), timeout=10_000)
    except Exception as exc:
        errors = page.locator(".errorlist, .error, [role=alert]").all_inner_texts()
        raise AssertionError(f"The form at {page.url} stayed: {errors}") from exc


class Walk:
    """Numbered screenshots and the time since the walk began."""

    def __init__(self):
        self.started = time.monotonic()
        self.n = 0
        self.log = []
        SHOTS.mkdir(parents=True, exist_ok=True)

    def shot(self, page, name: str) -> None:
        self.n += 1
        path = SHOTS / f"{self.n:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        self.log.append(f"{time.monotonic() - self.started:7.1f}s  {path.name}")


def test_a_trust_sets_itself_up_and_turns_the_year(
    live_server, browser, transactional_db, tmp_path
):
    walk = Walk()
    this_start = current_academic_start_year()
    this_label, next_label = year_label(this_start), year_label(this_start + 1)

    call_command(
        "createtrust",
        "Rowan Schools Trust",
        admin_email="admin@rowan.example",
        admin_name="Sam Admin",
        slug="rowan",
        site_url=live_server.url,
        stdout=open("/dev/null", "w"),
    )
    trust = Trust.objects.get(slug="rowan")

    # The administrator follows the emailed link, sets a password and two-step login.
    admin = _new_page(browser)
    _accept_invitation(
        admin, _link_in_last_email_to("admin@rowan.example"), "Rowan-larch-20261", "rollover-admin"
    )
    walk.shot(admin, "admin-home")

    # Schools from a GIAS-format file.
    gias_file = tmp_path / "edubasealldata.csv"
    gias_file.write_bytes(
        gias_bytes(
            [
                establishment(149101, name="Ashgrove Primary"),
                establishment(
                    149102,
                    name="Beech Secondary",
                    **{
                        "PhaseOfEducation (code)": "4",
                        "StatutoryLowAge": "11",
                        "StatutoryHighAge": "16",
                    },
                ),
            ]
        )
    )
    admin.goto(f"{live_server.url}/trusts/rowan/")
    admin.get_by_role("link", name="Import schools from GIAS").click()
    admin.get_by_label("GIAS establishment data (CSV)").set_input_files(str(gias_file))
    admin.get_by_label("GIAS trust code").fill("4015")
    admin.get_by_role("button", name="Preview the import").click()
    walk.shot(admin, "gias-preview")
    admin.get_by_role("button", name="Confirm the import").click()
    admin.wait_for_url(f"{live_server.url}/trusts/rowan/")
    assert admin.get_by_text("GIAS import done: 2 schools added").is_visible()
    walk.shot(admin, "schools-imported")

    # A hub.
    admin.get_by_role("link", name="Add a hub").click()
    admin.get_by_label("Name").fill("North")
    admin.get_by_role("button", name="Save").click()
    admin.wait_for_url(f"{live_server.url}/trusts/rowan/")
    assert admin.get_by_role("link", name="North").is_visible()
    walk.shot(admin, "hub-added")

    # Next year and its terms (the form offers next year with typical term dates).
    admin.goto(f"{live_server.url}/trusts/rowan/years/")
    admin.get_by_role("link", name="Add an academic year").click()
    walk.shot(admin, "next-year-form")
    admin.get_by_role("button", name="Save").click()
    admin.wait_for_url(f"{live_server.url}/trusts/rowan/years/")
    assert admin.get_by_role("heading", name=next_label).is_visible()
    assert admin.get_by_role("heading", name=f"{this_label} (current)").is_visible()
    walk.shot(admin, "years-with-next-year")

    # A headteacher invited from a CSV file.
    school = trust.schools.get(urn=149101)
    staff = tmp_path / "rowan-staff.csv"
    staff.write_text(
        "name,email,role,school_urn,start_date\n"
        f"Alex Head,alex.head@rowan.example,headteacher,{school.urn},\n"
    )
    admin.goto(f"{live_server.url}/trusts/rowan/people/")
    admin.get_by_role("link", name="Add staff from a CSV file").click()
    admin.get_by_label("Staff CSV file").set_input_files(str(staff))
    admin.get_by_role("button", name="Check and add").click()
    admin.wait_for_url("**/trusts/rowan/people/")
    assert admin.get_by_text("Added 1 role from rowan-staff.csv").is_visible()
    walk.shot(admin, "head-invited")

    # The head sets a password from the emailed link and sees their school.
    head = _new_page(browser)
    _accept_invitation(
        head, _link_in_last_email_to("alex.head@rowan.example"), "Hazel-brook-5521", "rollover-head"
    )
    assert head.get_by_role("link", name="Ashgrove Primary").first.is_visible()
    walk.shot(head, "head-home")

    # The head writes this year's plan: a priority with one open action.
    head.goto(f"{live_server.url}/schools/{school.pk}/plans/")
    head.get_by_role("link", name="New plan").click()
    head.get_by_label("Title").fill(f"School development plan {this_label}")
    head.get_by_role("button", name="Save").click()
    head.wait_for_url(re.compile(r".*/plans/\d+/$"))
    plan_url = head.url
    head.get_by_role("link", name="Add a priority").click()
    head.get_by_label("Number").fill("1")
    head.get_by_label("Title").fill("Close the reading gap")
    _save(head, plan_url)
    head.get_by_role("link", name="Add an action").click()
    head.get_by_label("What").fill("Phonics catch-up for year 3")
    _save(head, plan_url)
    head.goto(plan_url)
    before = head.locator("main").inner_text()
    assert "Phonics catch-up for year 3" in before
    walk.shot(head, "head-plan-this-year")

    # ... and starts this year's SEF, writing one area's summary.
    head.goto(f"{live_server.url}/schools/{school.pk}/self-evaluation/new/")
    head.get_by_role("button", name="Start").click()
    head.wait_for_url(re.compile(r".*/self-evaluations/\d+/$"))
    sef_url = head.url
    head.get_by_role("link", name=re.compile(r"^Edit ")).first.click()
    head.get_by_label("Evaluative summary").fill("Pupils read widely and well.")
    _save(head, sef_url)
    head.goto(sef_url)
    sef_before = head.locator("main").inner_text()
    assert "Pupils read widely and well." in sef_before
    walk.shot(head, "head-sef-this-year")

    # The roll-over, in June as it were: listed first, done on confirmation.
    admin.goto(f"{live_server.url}/trusts/rowan/years/")
    admin.get_by_role("link", name="Turn of the year (roll-over)").click()
    assert admin.get_by_role(
        "heading", name=f"Turn of the year: {this_label} to {next_label}"
    ).is_visible()
    assert "Done" in admin.locator("#step-year").inner_text()  # added by hand above
    assert "To do" in admin.locator("#step-plans").inner_text()
    assert "To do" in admin.locator("#step-sefs").inner_text()
    assert_accessible(admin, "rollover-survey")
    walk.shot(admin, "rollover-survey")
    admin.get_by_role("button", name=f"Turn over to {next_label}").click()
    admin.wait_for_url("**/trusts/rowan/roll-over/")
    assert admin.get_by_text(f"The roll-over to {next_label} is done.").is_visible()
    assert admin.get_by_text("as next year's draft: 1 created.").first.is_visible()
    for key in ("year", "sefs", "plans", "triads"):
        assert "Done" in admin.locator(f"#step-{key}").inner_text()
    assert admin.get_by_text(f"Nothing left to do for {next_label}.").is_visible()
    assert_accessible(admin, "rollover-done")
    walk.shot(admin, "rollover-done")

    # This year reads the same and stays current; next year's draft carries the open action.
    head.goto(plan_url)
    assert head.locator("main").inner_text() == before
    walk.shot(head, "head-plan-this-year-after-rollover")
    head.goto(sef_url)
    assert head.locator("main").inner_text() == sef_before
    next_sef = SelfEvaluation.objects.get(school=school, academic_year__start_year=this_start + 1)
    head.goto(f"{live_server.url}/self-evaluations/{next_sef.pk}/")
    assert head.get_by_text("Carried forward").first.is_visible()
    assert head.get_by_text("Pupils read widely and well.").is_visible()
    walk.shot(head, "head-sef-next-year-draft")
    following = AcademicYear.objects.get(trust=trust, start_year=this_start + 1)
    assert AcademicYear.objects.get(trust=trust, is_current=True).start_year == this_start
    new_plan = SchoolPlan.objects.get(school=school, academic_year=following)
    assert list(Action.objects.filter(priority__plan=new_plan).values_list("what", flat=True)) == [
        "Phonics catch-up for year 3"
    ]
    assert AuditEvent.objects.filter(action="roll_over", actor__email="admin@rowan.example")
    head.goto(f"{live_server.url}/schools/{school.pk}/plans/")
    walk.shot(head, "head-plans-both-years")
    head.get_by_role("link", name=f"School development plan {next_label}").first.click()
    assert head.get_by_text("Carried forward").first.is_visible()
    walk.shot(head, "head-plan-next-year-draft")

    elapsed = time.monotonic() - walk.started
    (SHOTS / "timing.txt").write_text(
        f"Walk from createtrust to the checked roll-over: {elapsed:.1f}s\n"
        + "\n".join(walk.log)
        + "\n"
    )
    print(f"\nTrust set up and year turned in {elapsed:.1f}s; screenshots in {SHOTS}")
