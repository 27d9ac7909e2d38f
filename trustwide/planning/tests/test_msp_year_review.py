"""The trust's year-end review of last year's strategic plan (issue 17 item 7, seed 004's
October step): written by trust leaders per trust priority (outcome against its success
indicators, impact statement), presented to the board at a held board meeting after the year,
audited at each step; its conclusions show as inputs on the next MSP draft; the cycle's line
completes when it is presented, not by ticking."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.world import make_school, make_year
from trustwide.audit.models import AuditEvent
from trustwide.common import steps
from trustwide.governance import services as governance
from trustwide.governance.models import CycleTask
from trustwide.kpis.models import KpiTarget, KpiValue, NationalFigure
from trustwide.kpis.national import forget_imported
from trustwide.planning import services
from trustwide.planning.models import (
    MspRating,
    MspReviewStatus,
    MspYearReview,
    SuccessIndicator,
)

from .factories import strategic_plan
from .test_signoff import board_meeting

PAGE_QUERY_CAP = 40


def events(review, action):
    return AuditEvent.objects.filter(
        object_type="planning.mspyearreview", object_id=str(review.pk), action=action
    )


def years(world):
    """(last year, this year) of trust A; the strategic plan starts last year."""
    current = world.trust_a.academic_years.get(is_current=True)
    last = world.trust_a.academic_years.filter(start_year=current.start_year - 1).first()
    last = last or make_year(world.trust_a, current.start_year - 1, current=False)
    plan = strategic_plan(world.trust_a)
    plan.first_year = last.start_year
    plan.save()
    return last, current


def started(world):
    last, _ = years(world)
    return services.msp_year_review_start(
        actor=world.user("trust_leader"),
        strategic_plan=strategic_plan(world.trust_a),
        academic_year=last,
    )


def written(world, review=None, skip_impact=None):
    review = review or started(world)
    entries = {
        p.pk: {
            "outcome": f"{p.code}: two of three indicators met.",
            "impact": "" if p.code == skip_impact else f"{p.code} changed things for pupils.",
        }
        for p in review.strategic_plan.priorities.all()
    }
    return services.msp_year_review_update(
        actor=world.user("trust_leader"),
        review=review,
        entries=entries,
        conclusions="Keep MSP1; fold MSP10 into the business plan.",
    )


def held_since_year_end(world):
    return board_meeting(world.trust_a, days_ago=3)


def held_before_year_end(world):
    current = world.trust_a.academic_years.get(is_current=True).start_year
    days = (timezone.localdate() - datetime.date(current, 8, 31)).days + 1
    return board_meeting(world.trust_a, days_ago=days)


def test_a_review_is_of_an_ended_year_of_the_plan(world):
    last, current = years(world)
    leader, plan = world.user("trust_leader"), strategic_plan(world.trust_a)
    with pytest.raises(ValidationError, match="is not over yet"):
        services.msp_year_review_start(actor=leader, strategic_plan=plan, academic_year=current)
    before = make_year(world.trust_a, last.start_year - 1, current=False)
    with pytest.raises(ValidationError, match="is not a year of"):
        services.msp_year_review_start(actor=leader, strategic_plan=plan, academic_year=before)
    other = world.trust_b.academic_years.get(is_current=True)
    with pytest.raises(ValidationError, match="academic year of the trust"):
        services.msp_year_review_start(actor=leader, strategic_plan=plan, academic_year=other)
    assert not MspYearReview.objects.exists()
    review = services.msp_year_review_start(actor=leader, strategic_plan=plan, academic_year=last)
    assert review.status == MspReviewStatus.DRAFT
    assert events(review, "create").get().actor == leader
    with pytest.raises(ValidationError, match="already started"):
        services.msp_year_review_start(actor=leader, strategic_plan=plan, academic_year=last)


@pytest.mark.parametrize("role", ["headteacher", "trustee", "local_governor", "teacher"])
def test_only_trust_leaders_write_it(world, role):
    last, _ = years(world)
    with pytest.raises(PermissionDenied):
        services.msp_year_review_start(
            actor=world.user(role), strategic_plan=strategic_plan(world.trust_a), academic_year=last
        )


def test_writing_is_audited_and_an_entry_for_another_plans_priority_is_refused(world):
    review = written(world)
    assert review.entry(review.strategic_plan.priorities.get(code="MSP1").pk)["impact"] == (
        "MSP1 changed things for pupils."
    )
    assert events(review, "update").count() == 1
    other = strategic_plan(world.trust_b).priorities.first()
    with pytest.raises(ValidationError, match="another strategic plan"):
        services.msp_year_review_update(
            actor=world.user("trust_leader"),
            review=review,
            entries={other.pk: {"outcome": "x", "impact": "y"}},
            conclusions="Changed",
        )
    review.refresh_from_db()
    assert review.conclusions.startswith("Keep MSP1") and events(review, "update").count() == 1


def test_an_empty_impact_statement_is_refused_and_nothing_is_presented(world):
    review = written(world, skip_impact="MSP10")
    with pytest.raises(ValidationError) as exc:
        services.msp_year_review_present(
            actor=world.user("trust_leader"), review=review, meeting=held_since_year_end(world)
        )
    assert exc.value.message_dict["entries"] == ["Write MSP10's impact statement."]
    review.refresh_from_db()
    assert review.status == MspReviewStatus.DRAFT and review.board_meeting is None
    assert not events(review, "present to board").exists()


def test_presenting_needs_a_held_board_meeting_after_the_year(world):
    review, leader = written(world), world.user("trust_leader")
    refused = [
        (None, "Choose the trust board meeting"),
        (board_meeting(world.trust_a, status="planned", days_ago=-7), "has not been held yet"),
        (board_meeting(world.trust_b), "not a meeting of this trust's board"),
        (held_before_year_end(world), "before the year under review ended"),
    ]
    for meeting, message in refused:
        with pytest.raises(ValidationError, match=message):
            services.msp_year_review_present(actor=leader, review=review, meeting=meeting)
    review.refresh_from_db()
    assert review.status == MspReviewStatus.DRAFT and not events(review, "present to board")


def test_presented_once_audited_then_on_record(world):
    review, leader = written(world), world.user("trust_leader")
    meeting = held_since_year_end(world)
    review = services.msp_year_review_present(actor=leader, review=review, meeting=meeting)
    assert (review.status, review.board_meeting, review.presented_by) == (
        MspReviewStatus.PRESENTED,
        meeting,
        leader,
    )
    [event] = events(review, "present to board")
    assert event.actor == leader and event.trust_id == world.trust_a.pk
    with pytest.raises(ValidationError, match="no longer changes"):
        services.msp_year_review_present(actor=leader, review=review, meeting=meeting)
    with pytest.raises(ValidationError, match="no longer changes"):
        written(world, review=review)


def test_presenting_completes_the_cycle_task_not_ticking(world):
    leader = world.user("trust_leader")
    item = governance.cycle_item_create(
        actor=leader,
        trust=world.trust_a,
        title="Year-end review of last year's MSP to the board",
        role="trust_leader",
        per_school=False,
        month=11,
        day=30,
        event=steps.MSP_YEAR_REVIEW_PRESENTED,
    )
    year = world.trust_a.academic_years.get(is_current=True)
    governance.cycle_generate(actor=leader, trust=world.trust_a, academic_year=year)
    task = CycleTask.objects.get(item=item)
    services.msp_year_review_present(
        actor=leader, review=written(world), meeting=held_since_year_end(world)
    )
    task.refresh_from_db()
    assert (task.completed_on, task.completed_by) == (timezone.localdate(), leader)


def test_presented_conclusions_are_inputs_of_the_next_draft(world, login):
    leader = world.user("trust_leader")
    review = written(world)
    plan = review.strategic_plan
    draft = services.msp_version_issue(actor=leader, strategic_plan=plan, label="First draft")
    url = reverse("planning:msp-version", args=[draft.pk])
    client = login(world.user("local_governor"))
    assert "fold MSP10 into the business plan" not in client.get(url).content.decode()
    services.msp_year_review_present(
        actor=leader, review=review, meeting=held_since_year_end(world)
    )
    page = client.get(url).content.decode()
    assert "Inputs: year-end review of last year" in page
    assert "fold MSP10 into the business plan" in page


def test_the_report_shows_indicators_rag_outcome_and_impact(world, login):
    review = written(world)
    msp1 = review.strategic_plan.priorities.get(code="MSP1")
    indicator = SuccessIndicator.objects.create(
        priority=msp1, stage="y1_2", text="Disadvantaged gap below 10 points"
    )
    terms = list(review.academic_year.terms.order_by("starts_on"))
    MspRating.objects.create(
        trust_priority=msp1, term=terms[0], rating="amber", indicator_ratings={indicator.pk: "red"}
    )
    MspRating.objects.create(
        trust_priority=msp1, term=terms[-1], rating="green", indicator_ratings={}
    )
    client = login(world.user("trust_leader"))
    url = reverse("planning:msp-year-review", args=[review.pk])
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url)
    assert len(queries) <= PAGE_QUERY_CAP
    text = page.content.decode()
    assert "Disadvantaged gap below 10 points" in text and "<td>Red</td>" in text
    assert f"{terms[0].name} Amber" in text and f"{terms[-1].name} Green" in text
    assert "MSP1: two of three indicators met." in text
    assert "MSP1 changed things for pupils." in text
    assert "Record its presentation to the board" in text
    # A trustee reads it, without the writing buttons.
    trustee_page = login(world.user("trustee")).get(url).content.decode()
    assert "MSP1 changed things for pupils." in trustee_page
    assert "Record its presentation" not in trustee_page


def test_pages_start_write_and_present(world, login):
    last, current = years(world)
    slug = world.trust_a.slug
    client = login(world.user("trust_leader"))
    listing = client.get(reverse("planning:msp-year-reviews", args=[slug])).content.decode()
    assert f'value="{last.start_year}"' in listing
    assert f'value="{current.start_year}"' not in listing
    refused = client.post(
        reverse("planning:msp-year-review-start", args=[slug]),
        {"year": current.start_year},
        follow=True,
    )
    assert "is not over yet" in refused.content.decode() and not MspYearReview.objects.exists()
    response = client.post(
        reverse("planning:msp-year-review-start", args=[slug]), {"year": last.start_year}
    )
    review = MspYearReview.objects.get()
    assert response.url == reverse("planning:msp-year-review-edit", args=[review.pk])
    data = {"conclusions": "Carry MSP1 forward."}
    for p in review.strategic_plan.priorities.all():
        data[f"outcome_{p.pk}"] = "Met"
        data[f"impact_{p.pk}"] = "" if p.code == "MSP10" else "Gap closed"
    assert client.post(response.url, data).status_code == 302
    present = reverse("planning:msp-year-review-present", args=[review.pk])
    meeting = held_since_year_end(world)
    failed = client.post(present, {"meeting": meeting.pk})
    assert failed.status_code == 400 and "Write MSP10" in failed.content.decode()
    data["impact_" + str(review.strategic_plan.priorities.get(code="MSP10").pk)] = "Policies"
    client.post(response.url, data)
    assert client.post(present, {"meeting": meeting.pk}).status_code == 302
    review.refresh_from_db()
    assert review.status == MspReviewStatus.PRESENTED and review.board_meeting == meeting
    edit = client.get(response.url, follow=True)
    assert "no longer changes" in edit.content.decode()


def _value(school, year, code, value, *, trust=None):
    return KpiValue.objects.create(
        trust=trust or school.trust,
        academic_year=year,
        kpi_code=code,
        level="school" if school else "trust",
        school=school,
        period="year",
        group="all",
        value=value,
        pupils=30,
        computed_at=timezone.now(),
    )


def _national(code, year, value, phase):
    NationalFigure.objects.create(
        measure=code,
        academic_year=year,
        phase=phase,
        value=value,
        basis="tests",
        source="Test national figures",
    )


def test_the_report_shows_statutory_results_against_national_with_the_year(world, login):
    """October's report to the board: the trust's and each school's statutory results of the
    reviewed year beside the national figure of that year (its year named) and the target,
    on hand-built KPI values; each reader sees only the figures their role allows."""
    review = written(world)
    year = review.academic_year.start_year
    label = review.academic_year.label
    trust = world.trust_a
    _value(None, year, "ks2_rwm_expected", 58.3, trust=trust)
    _value(world.school_a1, year, "ks2_rwm_expected", 64.2)
    _value(world.school_a2, year, "ks2_rwm_expected", 47.5)
    _value(world.school_a1, year, "persistent_absence", 14.8)
    _value(world.school_a1, year - 1, "ks2_rwm_expected", 99.0)  # last year: not this report
    _national("ks2_rwm_expected", year, 61.9, "all")
    _national("ks2_rwm_expected", year, 62.4, "primary")
    KpiTarget.objects.create(
        trust=trust, school=None, academic_year=year, kpi_code="ks2_rwm_expected", target=60.0
    )
    forget_imported()
    url = reverse("planning:msp-year-review", args=[review.pk])
    text = login(world.user("trust_leader")).get(url).content.decode()
    section = text[text.index('id="results"') :]
    assert f"Statutory results against national, {label}" in section
    measure = section[section.index("KS2 expected standard in reading, writing and maths") :]
    assert (
        f'<th scope="row">Trust</th><td>58.3%</td><td>60.0%</td>'
        f'<td title="{label} tests figure; source: Test national figures">61.9% ({label})</td>'
    ) in measure

    def row(who):
        start = measure.index(f'<th scope="row">{who}</th>')
        return measure[start : measure.index("</tr>", start)]

    # A primary school is compared with the primary national figure of the year.
    assert "<td>64.2%</td><td>60.0%</td>" in row("A1 Primary")
    assert f"62.4% ({label})</td>" in row("A1 Primary") and "rag-green" in row("A1 Primary")
    assert "<td>47.5%</td>" in row("A2 Primary") and "rag-red" in row("A2 Primary")
    assert "99.0%" not in section
    assert "Persistent absence" in section and "14.8%" in section

    # A governor of A1 reads the review: A1's figures, neither A2's nor the trust's.
    governed = login(world.user("local_governor")).get(url).content.decode()
    governed = governed[governed.index('id="results"') :]
    assert "A1 Primary</th><td>64.2%" in governed
    assert "A2 Primary" not in governed and "58.3%" not in governed
    # A trustee reads the trust's and every school's.
    trustee = login(world.user("trustee")).get(url).content.decode()
    assert "58.3%" in trustee and "47.5%" in trustee and "64.2%" in trustee


def test_the_results_read_in_queries_that_do_not_grow_with_schools(world, login):
    review = written(world)
    year = review.academic_year.start_year
    client = login(world.user("trust_leader"))
    url = reverse("planning:msp-year-review", args=[review.pk])

    def count():
        forget_imported()
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url)
        assert page.status_code == 200
        return len(queries), page.content.decode()

    for school in (world.school_a1, world.school_a2):
        _value(school, year, "ks2_rwm_expected", 60.0)
    count()  # the first request of a session reads more (login bookkeeping)
    few, _ = count()
    for n in range(6):
        school = make_school(world.trust_a, world.hub_1, name=f"Extra {n} Primary")
        _value(school, year, "ks2_rwm_expected", 50.0 + n)
        _value(school, year, "overall_absence", 5.0 + n)
    many, text = count()
    assert "Extra 5 Primary" in text and "10.0%" in text
    assert many == few and many <= PAGE_QUERY_CAP
