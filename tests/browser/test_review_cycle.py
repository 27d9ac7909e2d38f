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
the governing bodies and their meetings) goes through test fixtures; every step is in the
browser. A screenshot per step goes to TRUSTWIDE_SHOTS (if set) with steps.md listing them.

The cycle's later steps (STAR projects evaluated in October, the March mid-year review feeding
the next MSP draft) are not in the product yet; the walk ends at the frozen papers."""

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
from trustwide.governance.tests.factories import board, lgc, meeting
from trustwide.governance.tests.lgc_factories import chair_of, planned_board_meeting
from trustwide.planning.models import (
    MspRating,
    MspVersion,
    Priority,
    SchoolPlan,
    StrategicPlan,
    TrustPriority,
)

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
    plan = StrategicPlan.objects.create(
        trust=trust, title="SMART strategic plan", first_year=timezone.localdate().year - 1
    )
    msp1 = TrustPriority.objects.create(
        strategic_plan=plan,
        number=1,
        code="MSP1",
        title="Removing disadvantage",
        theme="Learners",
        long_term_goal="Disadvantaged pupils achieve as well as their peers.",
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
    return {
        "msp1": msp1,
        "msp2": msp2,
        "body": body,
        "lgc_meeting": lgc_meeting,
        "summer_board": summer,
        "autumn_board": autumn,
        "next_board": upcoming,
    }


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
