"""Priorities from data, the schools-of-concern rule, the head's report and the board report
(PDF and Excel read back)."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from trustwide.audit.models import AuditEvent
from trustwide.dashboards import concerns, selectors, services
from trustwide.dashboards.models import ConcernRule, HeadReportCommentary
from trustwide.planning.models import Priority
from trustwide.planning.tests.factories import plan_for

from .helpers import current_start_year, kpi


def _weak_school(world):
    # Overall absence 12% against a national figure near 7%: far worse (tolerance 1 point).
    kpi(world, world.school_a1, "overall_absence", 12.0, pupils=200)
    kpi(world, world.school_a1, "persistent_absence", 40.0, pupils=200)
    kpi(world, world.school_a2, "overall_absence", 5.0, pupils=180)


def test_concerns_are_ranked_with_evidence(world):
    _weak_school(world)
    found = concerns.school_concerns(
        school=world.school_a1, academic_year=current_start_year(world)
    )
    keys = [c.key for c in found]
    assert "national:overall_absence" in keys and "national:persistent_absence" in keys
    assert [c.severity for c in found] == sorted((c.severity for c in found), reverse=True)
    absence = concerns.find(found, "national:overall_absence")
    assert "12.0% against national" in absence.evidence[0] and absence.evidence[1] == "200 pupils"


def test_a_concern_turns_into_a_draft_priority(world, login):
    _weak_school(world)
    plan = plan_for(world.school_a1)
    before = plan.priorities.count()
    client = login(world.user("headteacher"))
    response = client.post(
        reverse("dashboards:concern-to-priority", kwargs={"pk": world.school_a1.pk}),
        {"key": "national:overall_absence"},
    )
    assert response.status_code == 302 and response["Location"] == reverse(
        "planning:plan-detail", args=[plan.pk]
    )
    assert plan.priorities.count() == before + 1
    priority = Priority.objects.filter(plan=plan).order_by("-number").first()
    assert (
        priority.title.startswith("Overall absence")
        and "12.0% against national" in priority.rationale
    )
    assert AuditEvent.objects.filter(
        object_type="planning.priority", object_id=str(priority.pk)
    ).exists()
    # A governor reads the concerns but may not add them to the plan.
    governor = login(world.user("local_governor"))
    assert (
        governor.get(
            reverse("dashboards:school-concerns", kwargs={"pk": world.school_a1.pk})
        ).status_code
        == 200
    )
    assert (
        governor.post(
            reverse("dashboards:concern-to-priority", kwargs={"pk": world.school_a1.pk}),
            {"key": "national:overall_absence"},
        ).status_code
        == 403
    )


def test_a_concern_without_a_plan_is_refused_with_a_message(world, login):
    _weak_school(world)
    client = login(world.user("headteacher"))
    response = client.post(
        reverse("dashboards:concern-to-priority", kwargs={"pk": world.school_a1.pk}),
        {"key": "national:overall_absence"},
        follow=True,
    )
    assert "has no improvement plan" in response.content.decode()
    assert not Priority.objects.exists()


def test_schools_of_concern_rule_is_seen_and_changed_by_trust_leaders(world, login):
    _weak_school(world)
    leader = world.user("trust_leader")
    client = login(leader)
    body = client.get(
        reverse("dashboards:trust-concerns", kwargs={"slug": world.trust_a.slug})
    ).content.decode()
    assert "at least 2 headline KPIs red against national" in body
    assert "A1 Primary" in body.split("Trust-wide concerns")[0]  # two red KPIs: of concern
    response = client.post(
        reverse("dashboards:concern-rule", kwargs={"slug": world.trust_a.slug}),
        {
            "min_red_kpis": 3,
            "min_red_priorities": 0,
            "min_overdue_actions": 0,
            "min_missing_datasets": 0,
            "late_after_days": 20,
        },
    )
    assert response.status_code == 302
    rule = ConcernRule.objects.get(trust=world.trust_a)
    assert rule.min_red_kpis == 3 and rule.updated_by == leader
    assert AuditEvent.objects.filter(object_type="dashboards.concernrule", actor=leader).exists()
    body = client.get(
        reverse("dashboards:trust-concerns", kwargs={"slug": world.trust_a.slug})
    ).content.decode()
    assert "No school meets the rule." in body
    with pytest.raises(PermissionDenied):
        services.concern_rule_save(
            actor=world.user("executive_headteacher"), trust=world.trust_a, min_red_kpis=1
        )


def test_head_report_commentary_is_written_by_leaders_and_read_by_governors(world, login):
    _weak_school(world)
    year = world.trust_a.academic_years.get(is_current=True)
    term = selectors.current_term(year)
    head = login(world.user("headteacher"))
    url = reverse("dashboards:head-report-commentary", kwargs={"pk": world.school_a1.pk})
    response = head.post(
        url,
        {
            "term": term.pk,
            "summary": "Attendance is our focus.",
            "challenge": "Is the attendance officer's caseload manageable?",
        },
    )
    assert response.status_code == 302
    saved = HeadReportCommentary.objects.get(school=world.school_a1, term=term)
    assert AuditEvent.objects.filter(
        object_type="dashboards.headreportcommentary", object_id=str(saved.pk)
    ).exists()
    governor = login(world.user("local_governor"))
    body = governor.get(
        reverse("dashboards:head-report", kwargs={"pk": world.school_a1.pk})
    ).content.decode()
    assert "Attendance is our focus." in body and "caseload manageable" in body
    assert "Overall absence" in body  # an exception against national
    assert governor.get(url).status_code == 403
    with pytest.raises(PermissionDenied):
        services.commentary_save(
            actor=world.user("local_governor"),
            school=world.school_a1,
            term=term,
            summary="x",
            challenge="",
        )


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_head_report_pdf_reads_back(world, login):
    _weak_school(world)
    year = world.trust_a.academic_years.get(is_current=True)
    services.commentary_save(
        actor=None,
        actor_label="test",
        school=world.school_a1,
        term=selectors.current_term(year),
        summary="Reading is improving.",
        challenge="",
    )
    response = login(world.user("local_governor")).get(
        reverse("dashboards:head-report-pdf", kwargs={"pk": world.school_a1.pk})
    )
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    assert "A1 Primary" in text and "Reading is improving." in text and "12.0%" in text
    assert "A2 Primary" not in text
    assert len(__import__("pypdf").PdfReader(io.BytesIO(response.content)).pages) <= 3


def test_board_report_pdf_and_excel_read_back(world, login):
    _weak_school(world)
    kpi(world, None, "overall_absence", 8.6, level="trust", pupils=380)
    client = login(world.user("trustee"))
    pdf = client.get(reverse("dashboards:board-report-pdf", kwargs={"slug": world.trust_a.slug}))
    text = _pdf_text(pdf.content)
    assert "A1 Primary" in text and "A2 Primary" in text and "B1 Primary" not in text
    assert "12.0%" in text and "5.0%" in text and "8.6%" in text
    xlsx = client.get(reverse("dashboards:board-report-xlsx", kwargs={"slug": world.trust_a.slug}))
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(xlsx.content))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    col = header.index("Overall absence")
    by_school = {r[0]: r[col] for r in rows[1:]}
    assert (
        by_school["A1 Primary"] == 12.0
        and by_school["A2 Primary"] == 5.0
        and by_school["Trust"] == 8.6
    )
    assert "B1 Primary" not in by_school
    assert {"Plan RAG", "SEF matrix", "Schools of concern", "Trust concerns"} <= set(
        book.sheetnames
    )
    why = dict(book["Schools of concern"].iter_rows(min_row=2, values_only=True))
    # A1: two KPIs red against national; both schools: no pupil data imported this year.
    assert "2 KPIs red against national" in why["A1 Primary"] and "red" not in why["A2 Primary"]
    assert "pupil data" in why["A2 Primary"]


def test_head_report_shows_the_chosen_terms_figures(world, login):
    """A termly report to governors shows that term's KPIs, not the whole year's; results
    measured once a year keep the year's value."""
    year = world.trust_a.academic_years.get(is_current=True)
    autumn = year.terms.get(name="autumn")
    kpi(world, world.school_a1, "overall_absence", 9.0, pupils=200)  # the year so far
    kpi(world, world.school_a1, "overall_absence", 13.5, period="autumn", pupils=200)
    kpi(world, world.school_a1, "ks2_rwm_expected", 40.0, pupils=60)  # a year-only result
    # National figures are annual, so a term's value is rated against the target only.
    from trustwide.kpis.services import kpi_target_set

    kpi_target_set(
        actor=None,
        trust=world.trust_a,
        school=None,
        academic_year=year.start_year,
        kpi_code="overall_absence",
        target=6.0,
    )
    body = (
        login(world.user("local_governor"))
        .get(
            reverse("dashboards:head-report", kwargs={"pk": world.school_a1.pk})
            + f"?term={autumn.pk}"
        )
        .content.decode()
    )
    assert "13.5%" in body and "9.0%" not in body
    assert "40.0%" in body
    assert "for the autumn term" in body
    # A termly KPI with no figure for this term is not filled in from the year.
    kpi(world, world.school_a1, "teaching_at_least_good", 55.5, pupils=12)
    kpi_target_set(
        actor=None,
        trust=world.trust_a,
        school=None,
        academic_year=year.start_year,
        kpi_code="teaching_at_least_good",
        target=80.0,
    )
    from trustwide.dashboards import reports

    readings = {
        r.kpi.code: r
        for r in reports.head_report_context(
            user=world.user("local_governor"), school=world.school_a1, term=autumn
        )["exceptions"]
    }
    assert "teaching_at_least_good" not in readings and readings["overall_absence"].value == 13.5


def test_questions_for_governors_say_which_way_a_kpi_declined():
    from types import SimpleNamespace

    from trustwide.dashboards.reports import _question
    from trustwide.kpis import definitions as d

    absence = SimpleNamespace(kind="trend", kpi=d.kpi_by_code("persistent_absence"), title="")
    progress = SimpleNamespace(kind="trend", kpi=d.kpi_by_code("ks2_rwm_expected"), title="")
    assert _question(absence).startswith("Persistent absence rose since last year")
    assert " fell since last year" in _question(progress)


def test_serious_inspection_outcomes_make_a_school_of_concern_under_either_framework(world, login):
    import datetime

    from trustwide.trusts.services import inspection_record

    inspection_record(
        actor=None,
        actor_label="test",
        school=world.school_a2,
        framework="ofsted-report-card-2025",
        inspected_on=datetime.date(2026, 2, 2),
        grades={"inclusion": "Urgent improvement", "safeguarding": "Not met"},
    )
    # A monitoring visit afterwards does not hide the graded inspection.
    inspection_record(
        actor=None,
        actor_label="test",
        school=world.school_a2,
        framework="ofsted-report-card-2025",
        inspected_on=datetime.date(2026, 5, 2),
        grades={},
        kind="monitoring",
    )
    inspection_record(
        actor=None,
        actor_label="test",
        school=world.school_a1,
        framework="ofsted-eif-2019",
        inspected_on=datetime.date(2024, 2, 2),
        grades={"quality-of-education": "Good"},
    )
    client = login(world.user("trust_leader"))
    body = client.get(
        reverse("dashboards:trust-concerns", kwargs={"slug": world.trust_a.slug})
    ).content.decode()
    schools = body.split("Trust-wide concerns")[0]
    assert (
        "A2 Primary" in schools and "safeguarding not met; urgent improvement: inclusion" in schools
    )
    a1 = schools.split("A1 Primary")[1].split("</tr>")[0]
    assert "inspection" not in a1  # good under 2019: no inspection reason
