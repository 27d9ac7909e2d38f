"""Issue 17: seed 004's review cycle walked for one school (A1 Primary) in a real browser, each
step done by the role the seed names, in the seed's order: the CEO (a trust leader) issues the
strategic plan's first draft for consultation and a local governor comments on it; the CEO
answers, changes the plan and issues the second draft; the board's approval is recorded against
a held board meeting; the MSP pocket guide is published and a teacher sees it on their home page;
the headteacher drafts the SDP, which the SMART check refuses until its priority has a success
criterion and that criterion is SMART; governors agree it, the CEO signs it off and records the
board's agreement (the product lets trust leaders, not trustees, record it); the
headteacher rates the SDP for the autumn term and the trust leader the MSP (derived from the
school's rating); the committee reports to the board with a flagged conflict that reaches the
next board agenda; the committee's chair marks its meeting held and its papers stay as they
were when a later rating changes (marked held by the clerk, the papers would keep no RAG: the
freeze uses the permissions of whoever marks the meeting held). Setting up (trust, school, people, terms, the strategic plan's priorities,
the governing bodies and their meetings, last year with MSP1's indicator ratings, two
lines of the annual cycle) goes through test fixtures; every step is in the
browser. A screenshot per step goes to TRUSTWIDE_SHOTS (if set) with steps.md listing them.

Then October to March: a teacher runs a STAR project on the SDP priority and evaluates it
(the cycle's "staff evaluate their STAR projects" line completes by itself), the headteacher
marks it exemplary; the CEO writes the year-end review of last year's strategic plan, which is
refused while an impact statement is empty and at a board meeting held before the year ended,
then recorded as presented at a board meeting held since (its cycle line completes) and read
by a trustee; in March the headteacher writes the SDP's mid-year review (the STAR project is
its evidence); the CEO issues next year's first MSP draft, whose inputs show both reviews'
conclusions."""

from __future__ import annotations

import datetime
import os
import re
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.urls import resolve
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, assert_accessible
from tests.world import make_year
from trustwide.common import steps
from trustwide.governance import services as governance
from trustwide.governance.models import CycleTask
from trustwide.governance.tests.factories import board, lgc, meeting
from trustwide.governance.tests.lgc_factories import chair_of, planned_board_meeting
from trustwide.planning.models import (
    MspRating,
    MspVersion,
    MspYearReview,
    Priority,
    SchoolPlan,
    StrategicPlan,
    SuccessIndicator,
    TrustPriority,
)
from trustwide.star.models import StarProject
from trustwide.trusts.utils import academic_start_year

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("TRUSTWIDE_SHOTS") or ARTIFACTS / "review-cycle")
PASSWORD = "a-long-browser-password"


class Walk:
    """One numbered screenshot per step, and the rows of steps.md."""

    def __init__(self):
        self.started = time.monotonic()
        self.rows: list[tuple[str, str, str, str]] = []
        SHOTS.mkdir(parents=True, exist_ok=True)

    def shot(self, page, step: str, role: str, name: str, done_on: str) -> None:
        """done_on: the URL name(s) of the page(s) where the step was done; the screenshot is
        of the page the browser is on (named too when it is another)."""
        path = SHOTS / f"{len(self.rows) + 1:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        shown = resolve(urlparse(page.url).path).view_name
        where = done_on if shown in done_on.split(", ") else f"{done_on} (shot: {shown})"
        self.rows.append((step, role, where, path.name))

    def write(self) -> None:
        elapsed = time.monotonic() - self.started
        lines = [
            f"# Seed 004's review cycle for one school, walked in Chromium ({elapsed:.0f}s)",
            "",
            "step | role | page (URL name) | screenshot file",
            "--- | --- | --- | ---",
            *(" | ".join(row) for row in self.rows),
            "",
        ]
        (SHOTS / "steps.md").write_text("\n".join(lines))


class People:
    """One browser context per role, logged in once with email and password."""

    def __init__(self, browser, live_server, world):
        self.browser, self.url, self.world, self.pages = browser, live_server.url, world, {}

    def __call__(self, role: str):
        if role not in self.pages:
            user = self.world.user(role)
            user.set_password(PASSWORD)
            user.save()
            context = self.browser.new_context(
                viewport={"width": 1280, "height": 900}, locale="en-GB"
            )
            page = context.new_page()
            page.goto(f"{self.url}/login/")
            page.get_by_label("Email address").fill(user.email)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url(f"{self.url}/")
            self.pages[role] = page
        return self.pages[role]

    def close(self):
        for page in self.pages.values():
            page.context.close()


def _saved(page, url_pattern: str) -> None:
    """Press Save and wait to leave the form; if it stays, fail with its messages."""
    page.get_by_role("button", name="Save").click()
    try:
        page.wait_for_url(re.compile(url_pattern), timeout=10_000)
    except Exception as exc:
        errors = page.locator(".errorlist, .error-summary, [role=alert]").all_inner_texts()
        raise AssertionError(f"The form at {page.url} stayed: {errors}") from exc


def _setup(world):
    """The world the cycle starts from: the strategic plan's priorities as the CEO wrote them
    before April, an LGC chaired by the local governor with its autumn meeting
    planned, and the trust board with two held meetings (summer, autumn) and one ahead."""
    trust, school = world.trust_a, world.school_a1
    this_year = academic_start_year(timezone.localdate())
    # The plan began last year, whose year-end review comes in the autumn.
    last_year = make_year(trust, this_year - 1, current=False)
    plan = StrategicPlan.objects.create(
        trust=trust, title="SMART strategic plan", first_year=this_year - 1
    )
    msp1 = TrustPriority.objects.create(
        strategic_plan=plan,
        number=1,
        code="MSP1",
        title="Removing disadvantage",
        theme="Learners",
        long_term_goal="Disadvantaged pupils achieve as well as their peers.",
    )
    # MSP1's success indicators, rated by the central team last summer (the year-end review's
    # evidence).
    indicators = [
        SuccessIndicator.objects.create(priority=msp1, stage="y1_2", text=text, order=n)
        for n, text in enumerate(
            [
                "Disadvantaged gap in reading below 10 points",
                "Persistent absence of disadvantaged pupils below 15%",
                "Every school runs a daily reading programme",
            ]
        )
    ]
    MspRating.objects.create(
        trust_priority=msp1,
        term=last_year.terms.order_by("starts_on").last(),
        rating="amber",
        is_derived=False,
        override_reason="Attendance indicator missed.",
        indicator_ratings=dict(
            zip([str(i.pk) for i in indicators], ["green", "red", "green"], strict=True)
        ),
    )
    msp2 = TrustPriority.objects.create(
        strategic_plan=plan,
        number=2,
        code="MSP2",
        title="Trust-wide assessment calendar",
        theme="Business and systems",
    )
    governor = world.user("local_governor")
    body = lgc(school, governor)
    chair_of(body, governor)
    lgc_meeting = meeting(body, status="planned")
    lgc_meeting.title = "LGC autumn meeting"
    lgc_meeting.save()
    trust_board = board(trust, world.user("trustee"))
    today = timezone.localdate()
    summer = meeting(trust_board, held_on=today - datetime.timedelta(days=150), items=False)
    summer.title = "Board summer meeting"
    summer.save()
    autumn = meeting(trust_board, held_on=today - datetime.timedelta(days=30), items=False)
    autumn.title = "Board autumn meeting"
    autumn.save()
    upcoming = planned_board_meeting(trust)
    # The board meeting the year-end review goes to: held since last year ended (31 August).
    since = max(today - datetime.timedelta(days=7), datetime.date(this_year, 9, 1))
    review_board = meeting(trust_board, held_on=since, items=False)
    review_board.title = "Board meeting, year-end review"
    review_board.save()
    # Two lines of the annual cycle that complete by themselves when their step is done.
    leader = world.user("trust_leader")
    cycle = {
        event: governance.cycle_item_create(
            actor=leader,
            trust=trust,
            title=title,
            role=role,
            per_school=per_school,
            month=month,
            day=day,
            event=event,
        )
        for title, role, per_school, month, day, event in (
            (
                "Staff evaluate their STAR projects",
                "headteacher",
                True,
                10,
                31,
                steps.STAR_PROJECTS_EVALUATED,
            ),
            (
                "Year-end review of last year's MSP presented to the trust board",
                "trust_leader",
                False,
                11,
                30,
                steps.MSP_YEAR_REVIEW_PRESENTED,
            ),
        )
    }
    governance.cycle_generate(
        actor=leader, trust=trust, academic_year=trust.academic_years.get(is_current=True)
    )
    return {
        "cycle": cycle,
        "review_board": review_board,
        "msp1": msp1,
        "msp2": msp2,
        "body": body,
        "lgc_meeting": lgc_meeting,
        "summer_board": summer,
        "autumn_board": autumn,
        "next_board": upcoming,
    }


def _task_done(item, school=None):
    task = CycleTask.objects.get(item=item, school=school)
    return task.completed_on is not None


def _october_to_march(s, walk, people, url, world, plan, prio):
    """STAR projects, the year-end review of last year's MSP and the March mid-year review
    feeding next year's first MSP draft."""
    slug, school = world.trust_a.slug, world.school_a1
    star_line = s["cycle"][steps.STAR_PROJECTS_EVALUATED]
    review_line = s["cycle"][steps.MSP_YEAR_REVIEW_PRESENTED]

    # October: a teacher runs a STAR project on the SDP's priority and evaluates it.
    teacher = people("teacher")
    teacher.goto(f"{url}/schools/{school.pk}/star/")
    teacher.get_by_role("link", name="Start a STAR project").click()
    teacher.get_by_label("Title").fill("Daily reading for disadvantaged pupils in Year 4")
    teacher.get_by_label("Priority").select_option(str(prio.pk))
    teacher.get_by_label("Enquiry question").fill(
        "Does 20 minutes of daily guided reading raise reading ages?"
    )
    teacher.get_by_label("Baseline").fill("Average reading age 8y1m for 12 pupils.")
    teacher.get_by_label("Method").fill("Guided reading every morning for eight weeks.")
    teacher.get_by_label("Measures").fill("Reading age test before and after.")
    _saved(teacher, r".*/star/\d+/$")
    project_url = teacher.url
    teacher.get_by_role("button", name="Start the project").click()
    expect(teacher.get_by_text("The project is running.")).to_be_visible()
    walk.shot(
        teacher,
        "STAR project started on the SDP priority",
        "teacher",
        "star-started",
        "star:project-create, star:project-start",
    )
    assert not _task_done(star_line, school)
    teacher.get_by_role("link", name="Evaluate the impact").click()
    teacher.get_by_label("Findings").fill("Reading ages rose for 10 of the 12 pupils.")
    teacher.get_by_label("Impact statement").fill("Average reading age from 8y1m to 8y9m.")
    teacher.get_by_label("Strong: clear gains on the baseline in the measures").check()
    _saved(teacher, re.escape(project_url) + "$")
    expect(teacher.get_by_text("Evaluation recorded.")).to_be_visible()
    assert StarProject.objects.get(school=school).status == "evaluated"
    assert _task_done(star_line, school), "the STAR line did not complete"
    walk.shot(
        teacher,
        "STAR project evaluated (cycle line completes)",
        "teacher",
        "star-evaluated",
        "star:project-evaluate",
    )

    # The headteacher marks it exemplary: published to the trust.
    head = people("headteacher")
    head.goto(project_url)
    head.get_by_role("link", name="Mark exemplary").click()
    head.get_by_label("What makes it exemplary").fill(
        "A clear baseline and one honest measure; any school can repeat it."
    )
    head.get_by_role("button", name="Mark exemplary").click()
    head.wait_for_url(re.compile(re.escape(project_url) + "$"))
    expect(head.get_by_text("Published as a trust exemplar")).to_be_visible()
    walk.shot(
        head,
        "STAR project marked exemplary",
        "headteacher",
        "star-exemplary",
        "star:project-exemplary",
    )

    # October/November: the CEO's year-end review of last year's strategic plan.
    ceo = people("trust_leader")
    ceo.goto(f"{url}/trusts/{slug}/strategic-plan/")
    ceo.get_by_role("link", name="Year-end reviews").click()
    ceo.get_by_role("button", name="Start the year-end review").click()
    ceo.wait_for_url(re.compile(r".*/msp-year-reviews/\d+/edit/$"))
    review = MspYearReview.objects.get()
    assert review.academic_year.start_year == plan.academic_year.start_year - 1
    review_url = f"{url}/msp-year-reviews/{review.pk}/"
    ceo.get_by_label("MSP1 outcome against its success indicators").fill(
        "Two of three indicators met: the disadvantaged gap in reading closed by 4 points."
    )
    ceo.get_by_label("MSP1 impact statement").fill(
        "Disadvantaged pupils at the expected standard in reading rose from 52% to 58%."
    )
    ceo.get_by_label("MSP2 outcome against its success indicators").fill(
        "The assessment calendar is used by every school."
    )
    ceo.get_by_label("Conclusions").fill(
        "Keep MSP1 and add attendance; MSP2 is done and becomes business as usual."
    )
    _saved(ceo, re.escape(review_url) + "$")
    # Refused: MSP2 has no impact statement (nothing is recorded).
    ceo.get_by_role("link", name="Record its presentation to the board").click()
    ceo.get_by_label("Meeting").select_option(str(s["review_board"].pk))
    ceo.get_by_role("button", name="Save").click()
    expect(ceo.get_by_text("Write MSP2's impact statement.")).to_be_visible()
    assert MspYearReview.objects.get().status == "draft"
    walk.shot(
        ceo,
        "MSP year-end review refused: an empty impact statement",
        "trust leader (CEO)",
        "msp-review-refused",
        "planning:msp-year-review-edit, planning:msp-year-review-present",
    )
    ceo.goto(f"{review_url}edit/")
    ceo.get_by_label("MSP2 impact statement").fill(
        "Teachers lost no teaching time to clashing assessment weeks."
    )
    _saved(ceo, re.escape(review_url) + "$")
    # Refused again: the summer board met before the year under review ended.
    ceo.get_by_role("link", name="Record its presentation to the board").click()
    ceo.get_by_label("Meeting").select_option(str(s["summer_board"].pk))
    ceo.get_by_role("button", name="Save").click()
    expect(ceo.locator("#id_meeting_error")).to_contain_text("before the year under review ended")
    ceo.get_by_label("Meeting").select_option(str(s["review_board"].pk))
    _saved(ceo, re.escape(review_url) + "$")
    expect(ceo.get_by_text("Presented to the board")).to_be_visible()
    assert MspYearReview.objects.get().board_meeting_id == s["review_board"].pk
    assert _task_done(review_line), "the year-end review line did not complete"
    assert_accessible(ceo, "cycle-msp-year-review")
    walk.shot(
        ceo,
        "MSP year-end review presented to the board (held meeting since the year ended)",
        "trust leader (CEO)",
        "msp-review-presented",
        "planning:msp-year-review-edit, planning:msp-year-review-present",
    )
    trustee = people("trustee")
    trustee.goto(review_url)
    expect(trustee.get_by_text("Presented to the trust board").first).to_be_visible()
    expect(trustee.get_by_text("rose from 52% to 58%")).to_be_visible()
    indicator = trustee.get_by_role("row", name=re.compile("^Persistent absence"))
    expect(indicator.get_by_role("cell", name="Red")).to_be_visible()
    walk.shot(
        trustee,
        "Year-end review of the MSP read by a trustee",
        "trustee",
        "msp-review-trustee",
        "planning:msp-year-review",
    )

    # March: the headteacher's mid-year review of the SDP, with the STAR impact as evidence.
    head.goto(f"{url}/schools/{school.pk}/plans/")
    head.get_by_role("link", name="Year-end and mid-year reviews").click()
    head.get_by_role("button", name=f"Start the mid-year review of {plan}").click()
    head.wait_for_url(re.compile(r".*/plan-reviews/\d+/edit/$"))
    mid_url = head.url.removesuffix("edit/")
    head.get_by_label(re.compile("^Impact: priority 1")).fill(
        "Disadvantaged readers at the expected standard: 58% to 64% by the spring assessments."
    )
    head.get_by_label("Conclusions").fill(
        "Daily guided reading works: make it a trust-wide strategy in next year's MSP."
    )
    _saved(head, re.escape(mid_url) + "$")
    expect(head.get_by_text("Daily reading for disadvantaged pupils in Year 4")).to_be_visible()
    head.get_by_role("button", name="Submit", exact=True).click()
    expect(head.get_by_text("its conclusions are an input of next year")).to_be_visible()
    walk.shot(
        head,
        "Mid-year review of the SDP submitted (STAR impact as evidence)",
        "headteacher",
        "mid-year-review",
        "planning:review-start, planning:review-edit, planning:review-submit",
    )

    # April: the CEO issues next year's first MSP draft; both reviews are its inputs.
    ceo.goto(f"{url}/trusts/{slug}/strategic-plan/versions/new/")
    ceo.get_by_label("Label").fill("First draft (April), next year")
    _saved(ceo, r".*/msp-versions/\d+/$")
    expect(ceo.get_by_text("Open for consultation").first).to_be_visible()
    inputs = ceo.locator("#inputs")
    expect(inputs.get_by_text("make it a trust-wide strategy")).to_be_visible()
    year_end = ceo.locator("#year-end-inputs")
    expect(year_end.get_by_text("MSP2 is done and becomes business as usual")).to_be_visible()
    assert_accessible(ceo, "cycle-msp-next-draft-inputs")
    walk.shot(
        ceo,
        "Next year's first MSP draft with the reviews' conclusions as inputs",
        "trust leader (CEO)",
        "msp-next-draft-inputs",
        "planning:msp-version-issue, planning:msp-version",
    )


def test_the_review_cycle_for_one_school(live_server, browser, world):
    s = _setup(world)
    walk, people, url = Walk(), People(browser, live_server, world), live_server.url
    slug, school = world.trust_a.slug, world.school_a1
    msp1, msp2 = s["msp1"], s["msp2"]
    try:
        # April: the CEO issues the first draft for consultation.
        ceo = people("trust_leader")
        ceo.goto(f"{url}/trusts/{slug}/strategic-plan/versions/")
        ceo.get_by_role("link", name="Issue a version").click()
        ceo.get_by_label("Label").fill("First draft (April)")
        assert ceo.get_by_label("Send for consultation").is_checked()
        _saved(ceo, r".*/msp-versions/\d+/$")
        draft1_url = ceo.url
        expect(ceo.get_by_text("Open for consultation").first).to_be_visible()
        walk.shot(
            ceo,
            "MSP first draft issued for consultation",
            "trust leader (CEO)",
            "msp-draft-1",
            "planning:msp-version-issue",
        )

        # A local governor comments on MSP1.
        gov = people("local_governor")
        gov.goto(draft1_url)
        gov.get_by_label("Comment on MSP1").fill(
            "Name the disadvantaged pupils' attendance as well as their attainment."
        )
        gov.locator("#MSP1").get_by_role("button", name="Add comment").click()
        expect(gov.get_by_text("Comment added.")).to_be_visible()
        comment = gov.locator("#MSP1").get_by_text("attendance as well as their attainment")
        expect(comment).to_be_visible()
        assert_accessible(gov, "cycle-msp-draft-comment")
        walk.shot(
            gov,
            "Consultation comment on MSP1",
            "local governor",
            "msp-comment",
            "planning:msp-version",
        )

        # May: the CEO answers, changes MSP1 and issues the second draft.
        ceo.goto(draft1_url)
        ceo.locator("#MSP1").get_by_role("link", name="Answer").click()
        ceo.get_by_label("Answer").fill("Agreed: attendance is added to the title.")
        _saved(ceo, re.escape(draft1_url) + "(#.*)?$")
        ceo.goto(f"{url}/trust-priorities/{msp1.pk}/edit/")
        ceo.get_by_label("Title").fill("Removing disadvantage: attainment and attendance")
        _saved(ceo, rf".*/trusts/{slug}/strategic-plan/.*")
        ceo.goto(f"{url}/trusts/{slug}/strategic-plan/versions/new/")
        ceo.get_by_label("Label").fill("Second draft (May)")
        _saved(ceo, r".*/msp-versions/\d+/$")
        draft2_url = ceo.url
        ceo.get_by_role("link", name="What changed since version 1").click()
        expect(ceo.get_by_text("attainment and attendance").first).to_be_visible()
        assert_accessible(ceo, "cycle-msp-compare")
        walk.shot(
            ceo,
            "MSP second draft issued (what changed)",
            "trust leader (CEO)",
            "msp-draft-2",
            "planning:msp-comment-answer, planning:trust-priority-edit, planning:msp-version-issue, planning:msp-version-compare",
        )
        gov.goto(draft1_url)
        expect(gov.get_by_text("This draft has been superseded")).to_be_visible()
        expect(gov.get_by_text("Agreed: attendance is added")).to_be_visible()

        # The board's approval, recorded against its held summer meeting.
        ceo.goto(draft2_url)
        ceo.get_by_role("link", name="Record the board's approval").click()
        ceo.get_by_label("Meeting").select_option(str(s["summer_board"].pk))
        _saved(ceo, re.escape(draft2_url) + "$")
        expect(ceo.get_by_text("Approved at Board summer meeting")).to_be_visible()
        version2 = MspVersion.objects.get(label="Second draft (May)")
        assert version2.board_meeting_id == s["summer_board"].pk
        walk.shot(
            ceo,
            "Board approval of the MSP (held board meeting)",
            "trust leader (CEO)",
            "msp-approved",
            "planning:msp-version-approve",
        )

        # The MSP pocket guide, written and published; a teacher sees it on their home page.
        ceo.goto(f"{url}/trusts/{slug}/pocket-guide/edit/")
        ceo.get_by_label("Include MSP1").check()
        ceo.get_by_label("Headline for MSP1").fill("Every disadvantaged pupil reads daily")
        ceo.get_by_label("Include MSP2").check()
        ceo.get_by_label("Headline for MSP2").fill("One assessment calendar for every school")
        _saved(ceo, rf".*/trusts/{slug}/pocket-guide/(\?.*)?$")
        ceo.get_by_role("button", name="Publish to everyone in the trust").click()
        expect(ceo.get_by_text("Published: everyone in the trust sees it")).to_be_visible()
        walk.shot(
            ceo,
            "MSP pocket guide published",
            "trust leader (CEO)",
            "pocket-guide-published",
            "planning:pocket-guide-edit, planning:pocket-guide-publish",
        )
        teacher = people("teacher")
        teacher.goto(f"{url}/")
        walk.shot(
            teacher,
            "Pocket guide seen on the home page",
            "teacher",
            "teacher-home",
            "accounts:home",
        )
        teacher.get_by_role("link", name=re.compile("^Pocket guide published")).click()
        expect(teacher.get_by_text("Every disadvantaged pupil reads daily").first).to_be_visible()
        teacher_email = world.user("teacher").email
        assert any(teacher_email in m.to for m in mail.outbox), "no email to the teacher"

        # June/July: the headteacher drafts the SDP; the guide's SDP priority is filled in.
        head = people("headteacher")
        head.goto(f"{url}/schools/{school.pk}/plans/")
        head.get_by_role("link", name="New plan").click()
        head.get_by_label("Title").fill("A1 Primary school development plan")
        _saved(head, r".*/plans/\d+/$")
        plan_url = head.url
        plan = SchoolPlan.objects.get(school=school, title="A1 Primary school development plan")
        prio = Priority.objects.get(plan=plan)
        assert list(prio.trust_priorities.all()) == [msp1]
        expect(head.get_by_text("Every disadvantaged pupil reads daily").first).to_be_visible()
        walk.shot(
            head,
            "SDP first draft (pocket guide priority filled in)",
            "headteacher",
            "sdp-draft",
            "planning:plan-create",
        )

        # The SMART check: refused while the priority has no success criterion.
        head.get_by_role("button", name="Submit to governors").click()
        expect(
            head.get_by_text("Every priority needs at least one success criterion")
        ).to_be_visible()
        assert SchoolPlan.objects.get(pk=plan.pk).status == "draft"
        walk.shot(
            head,
            "SMART check refuses a priority without a criterion",
            "headteacher",
            "smart-refused",
            "planning:plan-submit",
        )
        # A vague criterion (no number, no target, date or owner) is flagged and still refused.
        head.get_by_role("link", name="Add a success criterion").click()
        head.get_by_label("Description").fill("Reading improves for disadvantaged pupils")
        _saved(head, re.escape(plan_url) + "(#.*)?$")
        expect(head.get_by_text("1 success criterion is not SMART.")).to_be_visible()
        head.get_by_role("button", name="Submit to governors").click()
        expect(head.get_by_text("1 success criterion is not SMART yet.")).to_be_visible()
        assert SchoolPlan.objects.get(pk=plan.pk).status == "draft"
        walk.shot(
            head,
            "SMART check refuses a vague criterion",
            "headteacher",
            "smart-vague-refused",
            "planning:criterion-create, planning:plan-submit",
        )
        # Made SMART: a measured amount, a target, a date and an owner.
        head.get_by_role("link", name=re.compile("^Edit criterion Reading improves")).click()
        head.get_by_label("Description").fill(
            "Disadvantaged pupils at the expected standard in reading rise from 58% to 70%"
        )
        head.locator("#id_measure").fill("% of disadvantaged pupils at expected standard")
        head.get_by_label("Baseline").fill("58")
        head.locator("#id_target").fill("70")
        head.get_by_label("Target date").fill(f"{plan.academic_year.start_year + 1}-07-15")
        head.get_by_label("Owner").select_option(str(world.user("headteacher").pk))
        _saved(head, re.escape(plan_url) + "(#.*)?$")
        head.goto(plan_url)
        head.get_by_role("button", name="Submit to governors").click()
        expect(head.get_by_text("Plan submitted to governors.")).to_be_visible()
        walk.shot(
            head,
            "SMART check passed; SDP submitted to governors",
            "headteacher",
            "sdp-submitted",
            "planning:criterion-edit, planning:plan-submit",
        )

        # September: governors agree; the CEO signs off; the board's agreement is recorded.
        gov.goto(plan_url)
        gov.get_by_role("link", name="Record governors' agreement").click()
        gov.get_by_role("textbox", name="Meeting", exact=True).fill(
            "Local governing committee, 16 September"
        )
        gov.get_by_label("Date of the meeting").fill(
            (timezone.localdate() - datetime.timedelta(days=60)).isoformat()
        )
        _saved(gov, re.escape(plan_url) + "$")
        expect(gov.get_by_text("Agreed by governors on")).to_be_visible()
        walk.shot(
            gov, "Governors agree the SDP", "local governor", "sdp-agreed", "planning:plan-agree"
        )
        ceo.goto(plan_url)
        ceo.get_by_role("button", name="Sign off for the trust").click()
        expect(ceo.get_by_text("Signed off. Record the trust board's agreement")).to_be_visible()
        walk.shot(
            ceo,
            "CEO signs the SDP off",
            "trust leader (CEO)",
            "sdp-signed-off",
            "planning:plan-sign-off",
        )
        ceo.get_by_role("link", name="Record the trust board's agreement").click()
        ceo.get_by_label("Meeting").select_option(str(s["autumn_board"].pk))
        _saved(ceo, re.escape(plan_url) + "$")
        expect(ceo.get_by_text("Agreed by the trust board at Board autumn meeting")).to_be_visible()
        assert SchoolPlan.objects.get(pk=plan.pk).status == "in_progress"
        assert_accessible(ceo, "cycle-sdp-in-progress")
        walk.shot(
            ceo,
            "Board agreement of the SDP (held board meeting)",
            "trust leader (CEO)",
            "sdp-board-agreed",
            "planning:plan-board-agree",
        )

        # Autumn: the headteacher rates the SDP; the trust leader rates the MSP from it.
        head.goto(f"{url}/plans/{plan.pk}/review/?term=autumn")
        head.locator(f"#r_priority_{prio.pk}").select_option("amber")
        head.locator(f"#o_priority_{prio.pk}").fill(
            "Autumn assessments: 61%, short of the 64% milestone."
        )
        head.get_by_role("button", name="Save the review").click()
        head.wait_for_url(re.compile(re.escape(plan_url) + "(#.*)?$"))
        walk.shot(
            head, "Autumn RAG of the SDP", "headteacher", "sdp-autumn-rag", "planning:termly-review"
        )
        ceo.goto(f"{url}/trusts/{slug}/strategic-plan/rag/?term=autumn")
        ceo.locator(f"#c_{msp1.pk}").fill(
            "A1's reading priority is amber after autumn assessments."
        )
        assert_accessible(ceo, "cycle-msp-termly-review")
        ceo.get_by_role("button", name="Save the strategic plan RAG").click()
        ceo.wait_for_url(f"**/trusts/{slug}/strategic-plan/**")
        rating = MspRating.objects.get(trust_priority=msp1, term__name="autumn")
        assert (rating.rating, rating.is_derived) == ("amber", True)
        assert "Amber" in ceo.locator("#msp-rag").inner_text()
        walk.shot(
            ceo,
            "Autumn RAG of the MSP (derived from the SDP)",
            "trust leader (CEO)",
            "msp-autumn-rag",
            "planning:msp-termly-review",
        )

        # The committee's report to the board, with a flagged conflict.
        gov.goto(f"{url}/governing-bodies/{s['body'].pk}/")
        gov.get_by_role("link", name="Start a report to the board").click()
        gov.get_by_label("Summary").fill("Reading is amber; the assessment calendar clashes.")
        _saved(gov, r".*/lgc-reports/\d+/$")
        gov.get_by_role("link", name="Flag a trust priority harming a school priority").click()
        gov.get_by_label("Trust (MSP) priority").select_option(str(msp2.pk))
        gov.get_by_label("The school's priority it is harming").select_option(str(prio.pk))
        gov.get_by_label("Reasoning").fill(
            "The trust's assessment week falls in our reading fortnight."
        )
        _saved(gov, r".*/lgc-reports/\d+/$")
        gov.get_by_role("button", name="Submit the report to the board").click()
        expect(gov.get_by_text("added to the agenda of")).to_be_visible()
        walk.shot(
            gov,
            "LGC report to the board, conflict flagged",
            "local governor (chair)",
            "lgc-report",
            "governance:lgc-report-create, governance:lgc-conflict-add, governance:lgc-report-submit",
        )
        trustee = people("trustee")
        trustee.goto(f"{url}/meetings/{s['next_board'].pk}/")
        expect(trustee.get_by_text("A1 Primary: MSP2 harming")).to_be_visible()
        walk.shot(
            trustee,
            "Flagged conflict on the next board agenda",
            "trustee",
            "board-agenda",
            "governance:meeting-detail",
        )

        # The committee's meeting is held: its papers are frozen as they were.
        # (The chair marks it held: frozen by the clerk, the papers keep no RAG; see the report.)
        papers_url = f"{url}/meetings/{s['lgc_meeting'].pk}/papers/"
        gov.goto(f"{url}/meetings/{s['lgc_meeting'].pk}/edit/")
        gov.get_by_label("Status").select_option("held")
        gov.get_by_role("button", name="Save").click()
        expect(gov.get_by_text("its papers are frozen")).to_be_visible()
        gov.goto(papers_url)
        papers_before = gov.locator("main").inner_text()
        # Priorities R/A/G/B: A1's one priority, amber.
        expect(gov.get_by_role("cell", name="0/1/0/0").first).to_be_visible()
        walk.shot(
            gov,
            "LGC meeting held, papers frozen",
            "local governor (chair)",
            "papers-frozen",
            "governance:meeting-edit, governance:meeting-papers",
        )

        # A later rating (the headteacher turns the priority green) leaves the papers as held.
        head.goto(f"{url}/plans/{plan.pk}/review/?term=autumn")
        head.locator(f"#r_priority_{prio.pk}").select_option("green")
        head.locator(f"#o_priority_{prio.pk}").fill("Mock tests at the end of term: 66%.")
        head.get_by_role("button", name="Save the review").click()
        head.wait_for_url(re.compile(re.escape(plan_url) + "(#.*)?$"))
        assert prio.ratings.get(term__name="autumn").rating == "green"
        gov.goto(papers_url)
        assert gov.locator("main").inner_text() == papers_before
        expect(gov.get_by_role("cell", name="0/1/0/0").first).to_be_visible()
        assert_accessible(gov, "cycle-papers-frozen")
        walk.shot(
            gov,
            "Papers unchanged after a later rating (headteacher re-rates green)",
            "headteacher; read by local governor",
            "papers-after-rating",
            "planning:termly-review, governance:meeting-papers",
        )
        _october_to_march(s, walk, people, url, world, plan, prio)
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        for role, page in people.pages.items():
            page.screenshot(path=str(ARTIFACTS / f"cycle-failed-{role}.png"), full_page=True)
        raise
    finally:
        walk.write()
        people.close()
    elapsed = time.monotonic() - walk.started
    print(f"\nReview cycle walked in {elapsed:.1f}s; screenshots in {SHOTS}")
