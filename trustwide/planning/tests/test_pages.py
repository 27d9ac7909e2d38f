"""Planning pages: query caps with many rows, exports read back, the termly review form,
the strategic plan and pocket guide forms."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.world import make_school
from trustwide.planning.models import (
    Action,
    MonitoringActivity,
    MonitoringRecord,
    PocketGuideItem,
    Priority,
    RagRating,
    SchoolPlan,
    SuccessCriterion,
    TrustPriority,
)

from .factories import plan_for, strategic_plan


def big_plan(school, *, priorities=8, actions=6, criteria=3):
    year = school.trust.academic_years.get(is_current=True)
    plan = SchoolPlan.objects.create(
        school=school,
        academic_year=year,
        kind="sip",
        status="in_progress",
        title=f"Big plan {school.name}",
    )
    terms = list(year.terms.all())
    tp = strategic_plan(school.trust).priorities.first()
    ratings = []
    for n in range(1, priorities + 1):
        p = Priority.objects.create(
            plan=plan, number=n, title=f"Priority {n}", sef_area_codes=["qe"]
        )
        p.trust_priorities.add(tp)
        ratings.append(
            RagRating(
                plan=plan,
                term=terms[0],
                kind="priority",
                priority=p,
                rating="amber",
                is_derived=True,
            )
        )
        for m in range(actions):
            a = Action.objects.create(
                priority=p,
                what=f"Action {n}.{m}",
                cost=Decimal(100 * m),
                budget_line=f"Line {m % 3}",
                due_on=year.ends_on,
            )
            ratings += [
                RagRating(plan=plan, term=t, kind="action", action=a, rating="green")
                for t in terms[:2]
            ]
        for m in range(criteria):
            c = SuccessCriterion.objects.create(
                priority=p,
                description=f"Criterion {n}.{m} to 80%"
                if not m
                else f"Improve writing, part {'ABCDEFGH'[n - 1]}",
                measure="%",
                target="80",
            )
            ratings.append(
                RagRating(plan=plan, term=terms[0], kind="criterion", criterion=c, rating="red")
            )
        p.milestones.create(term=terms[0], description=f"Milestone {n}")
    RagRating.objects.bulk_create(ratings)
    return plan


def test_plan_page_query_cap(world, login, django_assert_max_num_queries):
    plan = big_plan(world.school_a1)
    client = login(world.user("headteacher"))
    url = reverse("planning:plan-detail", args=[plan.pk])
    with django_assert_max_num_queries(20):  # 17 measured, independent of the number of rows
        response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Action 8.5" in body and "Improve writing, part H" in body and "Vague wording" in body
    assert "Line 2" in body


def test_rollup_query_cap_with_many_schools(world, login, django_assert_max_num_queries):
    for i in range(10):
        big_plan(
            make_school(world.trust_a, world.hub_2 if i % 2 else world.hub_1, name=f"Roll {i}"),
            priorities=3,
            actions=3,
            criteria=2,
        )
    client = login(world.user("trust_leader"))
    url = reverse("planning:rollup", args=[world.trust_a.slug])
    year = world.trust_a.academic_years.get(is_current=True)
    spring = year.terms.get(name="spring")
    with django_assert_max_num_queries(20):  # 18 measured, the same for 1 school or 11
        response = client.get(url + "?term=spring")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Roll 9" in body and "H2 hub" in body and "Trust total" in body
    assert RagRating.objects.filter(term=spring).count() == 10 * 3 * 3


def test_review_and_monitoring_page_query_caps(world, login, django_assert_max_num_queries):
    plan = big_plan(world.school_a1)
    term = plan.academic_year.terms.first()
    for i in range(20):
        a = MonitoringActivity.objects.create(
            plan=plan, kind="lesson_observation", focus=f"Obs {i}", term=term
        )
        MonitoringRecord.objects.create(
            activity=a,
            carried_out_on=term.starts_on,
            findings="ok",
            judgement="Good",
            good_or_better=True,
        )
    client = login(world.user("headteacher"))
    with django_assert_max_num_queries(20):
        assert (
            client.get(
                reverse("planning:termly-review", args=[plan.pk]) + "?term=autumn"
            ).status_code
            == 200
        )
    with django_assert_max_num_queries(14):
        body = client.get(reverse("planning:monitoring-schedule", args=[plan.pk])).content.decode()
    assert "100%" in body and "Obs 19" in body
    with django_assert_max_num_queries(14):
        assert (
            client.get(reverse("planning:monitoring-calendar", args=[plan.pk])).status_code == 200
        )


def test_termly_review_form_saves_and_shows_errors(world, login):
    plan = plan_for(world.school_a1, owner=world.user("teacher"))
    priority = plan.priorities.get()
    action = priority.actions.get()
    criterion = priority.criteria.get()
    client = login(world.user("senior_leader"))
    url = reverse("planning:termly-review", args=[plan.pk]) + "?term=autumn"
    bad = client.post(
        url,
        {
            f"r_action_{action.pk}": "purple",
            f"r_criterion_{criterion.pk}": "green",
            f"r_priority_{priority.pk}": "",
        },
    )
    assert bad.status_code == 400 and "not on the RAG scale" in bad.content.decode()
    assert RagRating.objects.count() == 0
    ok = client.post(
        url,
        {
            f"r_action_{action.pk}": "amber",
            f"c_action_{action.pk}": "Started late",
            f"r_criterion_{criterion.pk}": "green",
            f"r_priority_{priority.pk}": "",
        },
    )
    assert ok.status_code == 302
    ratings = {r.kind: r for r in RagRating.objects.all()}
    assert ratings["action"].commentary == "Started late" and ratings["priority"].rating == "amber"
    assert ratings["priority"].is_derived


def test_plan_pdf_contains_the_plans_rows(world, login):
    from pypdf import PdfReader

    plan = big_plan(world.school_a1, priorities=2, actions=2, criteria=1)
    response = login(world.user("local_governor")).get(reverse("planning:plan-pdf", args=[plan.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for expected in (
        "Big plan A1 Primary",
        "Priority 2",
        "Action 2.1",
        "Criterion 1.0 to 80%",
        "Line 1",
        "MSP1",
    ):
        assert expected in text, expected


def test_plan_xlsx_contains_the_plans_rows(world, login):
    from openpyxl import load_workbook

    plan = big_plan(world.school_a1, priorities=2, actions=3, criteria=2)
    response = login(world.user("trustee")).get(reverse("planning:plan-xlsx", args=[plan.pk]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Priorities", "Actions", "Success criteria", "Milestones", "Costs"]
    actions = list(book["Actions"].iter_rows(values_only=True))
    assert actions[0][:3] == ("Priority", "What", "How") and len(actions) == 1 + 6
    assert actions[-1][1] == "Action 2.2" and actions[-1][7] == 200.0 and actions[-1][-3] == "green"
    criteria = list(book["Success criteria"].iter_rows(values_only=True))
    assert any("Vague wording" in (row[9] or "") for row in criteria[1:])
    costs = list(book["Costs"].iter_rows(values_only=True))
    assert costs[-1][0] == "Total" and costs[-1][2] == 600.0


def test_pocket_guide_pdf_is_one_page(world, login):
    from pypdf import PdfReader

    plan = strategic_plan(world.trust_a)
    guide = plan.pocket_guides.get()
    for n in range(2, 13):
        tp = TrustPriority.objects.create(
            strategic_plan=plan,
            number=n + 10,
            code=f"MSP{n + 10}",
            title=f"Trust priority number {n}",
            theme=["SMART learners", "SMART leaders", "SMART communities"][n % 3],
        )
        PocketGuideItem.objects.create(
            guide=guide, priority=tp, headline=f"Headline {n}", focus_parental=True
        )
    plan_for(world.school_a1)
    response = login(world.user("teacher")).get(
        reverse("planning:school-pocket-guide-pdf", args=[world.school_a1.pk])
    )
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Removing disadvantage" in text and "Headline 12" in text and "A1 Primary" in text


def test_strategic_plan_and_pocket_guide_forms(world, login):
    client = login(world.user("trust_leader"))
    slug = world.trust_a.slug
    assert (
        client.post(
            reverse("planning:strategic-plan-edit", args=[slug]),
            {"title": "MSP 2026-31", "first_year": 2026, "years": 5, "vision": "All excel"},
        ).status_code
        == 302
    )
    response = client.post(
        reverse("planning:trust-priority-create", args=[slug]),
        {
            "number": 1,
            "code": "",
            "title": "Removing disadvantage",
            "theme": "SMART learners",
            "key_strategies": "PP budgets\nEWO in-house",
            "indicators_y1_2": "Baseline set\nPlans carry it",
            "indicators_y5": "At national",
        },
    )
    assert response.status_code == 302
    tp = TrustPriority.objects.get()
    assert tp.code == "MSP1" and tp.strategies == ["PP budgets", "EWO in-house"]
    assert sorted(tp.indicators.values_list("stage", "text")) == [
        ("y1_2", "Baseline set"),
        ("y1_2", "Plans carry it"),
        ("y5", "At national"),
    ]
    page = client.get(reverse("planning:strategic-plan", args=[slug])).content.decode()
    assert "MSP1: Removing disadvantage" in page and "Plans carry it" in page
    year = world.trust_a.academic_years.get(is_current=True)
    url = reverse("planning:pocket-guide-edit", args=[slug]) + f"?year={year.start_year}"
    bad = client.post(
        url, {f"p{tp.pk}_include": "on", f"p{tp.pk}_headline": "", f"p{tp.pk}_kind": "sip"}
    )
    assert bad.status_code == 400
    ok = client.post(
        url,
        {
            f"p{tp.pk}_include": "on",
            f"p{tp.pk}_headline": "Good progress for ALL",
            f"p{tp.pk}_learning": "on",
            f"p{tp.pk}_kind": "sip",
        },
    )
    assert ok.status_code == 302
    item = PocketGuideItem.objects.get()
    assert item.focus_learning and not item.focus_parental
    guide_page = (
        login(world.user("teacher"))
        .get(reverse("planning:pocket-guide", args=[slug]))
        .content.decode()
    )
    assert "Good progress for ALL" in guide_page


@pytest.mark.parametrize("name", ["planning:plan-list", "planning:school-pocket-guide"])
def test_school_pages_render(world, login, name):
    plan_for(world.school_a1)
    body = (
        login(world.user("headteacher"))
        .get(reverse(name, args=[world.school_a1.pk]))
        .content.decode()
    )
    assert "A1 Primary" in body


def test_plan_create_view_prefills_and_redirects(world, login):
    strategic_plan(world.trust_a)
    year = world.trust_a.academic_years.get(is_current=True)
    response = login(world.user("headteacher")).post(
        reverse("planning:plan-create", args=[world.school_a1.pk]),
        {"kind": "sip", "academic_year": year.pk, "title": "Our SIP"},
    )
    plan = SchoolPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "planning:plan-detail", args=[plan.pk]
    )
    assert plan.priorities.get().from_pocket_guide
    _ = datetime
