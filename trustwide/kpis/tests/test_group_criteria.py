"""A success criterion can bind a KPI for a pupil group or a gap; a gap criterion is met when
the group's shortfall against the others is at most the target (docs/KPIS.md), and the status
feeds the strategic plan's termly RAG like any KPI-bound criterion."""

import datetime

from django.urls import reverse
from django.utils import timezone

from trustwide.kpis.criteria import criterion_statuses
from trustwide.kpis.models import KpiValue
from trustwide.planning import msp_rag
from trustwide.planning.models import Priority, SchoolPlan, SuccessCriterion
from trustwide.planning.tests.factories import plan_for, strategic_plan


def _store(world, year, code, group, value, period="ytd"):
    KpiValue.objects.update_or_create(
        trust=world.trust_a,
        academic_year=year,
        kpi_code=code,
        level="school",
        school=world.school_a1,
        period=period,
        group=group,
        defaults={"value": value, "pupils": 40, "suppressed": False, "computed_at": timezone.now()},
    )


def _criterion(priority, code, group, target):
    return SuccessCriterion.objects.create(
        priority=priority, description="x", target=target, kpi_code=code, kpi_group=group
    )


def test_gap_criterion_met_and_not_met_in_the_kpis_direction(world):
    plan = plan_for(world.school_a1)
    year = plan.academic_year.start_year
    today = datetime.date(year + 1, 1, 15)
    priority = plan.priorities.get()
    reading = _criterion(priority, "ta_expected_reading", "disadvantaged_gap", "5")
    absence = _criterion(priority, "overall_absence", "disadvantaged_gap", "2")
    # Reading (higher is better): disadvantaged 58%, others 66%: the stored gap is 58 - 66 = -8,
    # so disadvantaged pupils are 8 points behind, more than the 5 allowed.
    _store(world, year, "ta_expected_reading", "disadvantaged_gap", 58.0 - 66.0)
    _store(world, year, "ta_expected_reading", "all", 90.0)  # not what a gap criterion reads
    # Absence (lower is better): disadvantaged 7.5%, others 5.0%: gap +2.5, 2.5 behind > 2.
    _store(world, year, "overall_absence", "disadvantaged_gap", 7.5 - 5.0)
    statuses = criterion_statuses(plan, [reading, absence], today=today)
    assert statuses[reading.pk].met is False
    assert "8.0 pp behind" in statuses[reading.pk].detail
    assert statuses[absence.pk].met is False
    assert "2.5 pp behind" in statuses[absence.pk].detail
    # Disadvantaged 63% against 66%: 3 points behind, within 5. Absence 5.5% against 5.0%:
    # 0.5 behind, within 2. Disadvantaged ahead on absence (4.0% v 5.0%) also meets it.
    _store(world, year, "ta_expected_reading", "disadvantaged_gap", 63.0 - 66.0)
    _store(world, year, "overall_absence", "disadvantaged_gap", 5.5 - 5.0)
    statuses = criterion_statuses(plan, [reading, absence], today=today)
    assert (statuses[reading.pk].met, statuses[absence.pk].met) == (True, True)
    _store(world, year, "overall_absence", "disadvantaged_gap", 4.0 - 5.0)
    status = criterion_statuses(plan, [absence], today=today)[absence.pk]
    assert status.met is True and "level with or ahead of" in status.detail


def test_group_criterion_reads_the_groups_value_not_all_pupils(world):
    plan = plan_for(world.school_a1)
    year = plan.academic_year.start_year
    today = datetime.date(year + 1, 1, 15)
    crit = _criterion(plan.priorities.get(), "ta_expected_reading", "disadvantaged", "72")
    _store(world, year, "ta_expected_reading", "all", 80.0)  # would meet 72
    assert criterion_statuses(plan, [crit], today=today)[crit.pk].label == "No data yet"
    _store(world, year, "ta_expected_reading", "disadvantaged", 65.0)
    status = criterion_statuses(plan, [crit], today=today)[crit.pk]
    assert status.met is False and "65.0%" in status.detail and "disadvantaged" in status.detail
    _store(world, year, "ta_expected_reading", "disadvantaged", 72.0)
    assert criterion_statuses(plan, [crit], today=today)[crit.pk].met is True


def test_gap_criterion_is_evidence_in_the_termly_rag(world):
    year = world.trust_a.academic_years.get(is_current=True)
    autumn = year.terms.order_by("number").first()
    msp = strategic_plan(world.trust_a)
    msp1 = msp.priorities.get(number=1)
    plan = SchoolPlan.objects.create(school=world.school_a1, academic_year=year)
    priority = Priority.objects.create(plan=plan, number=1, title="Disadvantaged readers")
    priority.trust_priorities.add(msp1)
    _criterion(priority, "ta_expected_reading", "disadvantaged_gap", "5")
    assert msp_rag.school_inputs(msp, autumn)[msp1.pk][0].rating is None  # no data yet
    _store(world, year.start_year, "ta_expected_reading", "disadvantaged_gap", 55.0 - 66.0)
    assert msp_rag.school_inputs(msp, autumn)[msp1.pk][0].rating == "amber"  # 11 behind > 5
    _store(world, year.start_year, "ta_expected_reading", "disadvantaged_gap", 62.0 - 66.0)
    assert msp_rag.school_inputs(msp, autumn)[msp1.pk][0].rating == "green"  # 4 behind <= 5


def test_the_criterion_form_offers_groups_and_gaps(world, login):
    plan = plan_for(world.school_a1)
    crit = SuccessCriterion.objects.get(priority__plan=plan)
    client = login(world.user("headteacher"))
    url = reverse("planning:criterion-edit", kwargs={"pk": crit.pk})
    body = client.get(url).content.decode()
    assert 'value="disadvantaged_gap"' in body and "Disadvantaged gap" in body
    data = {
        "description": crit.description,
        "measure": crit.measure,
        "measure_kind": crit.measure_kind,
        "baseline": "",
        "target": "5",
        "target_date": "",
        "owner": "",
        "kpi_code": "",
        "kpi_group": "disadvantaged_gap",
    }
    refused = client.post(url, data)  # a group without a KPI is refused, saying why
    assert refused.status_code == 400 and "Give the KPI code" in refused.content.decode()
    crit.refresh_from_db()
    assert crit.kpi_group == ""
    data["kpi_code"] = "ta_expected_reading"
    assert client.post(url, data).status_code == 302
    crit.refresh_from_db()
    assert (crit.kpi_code, crit.kpi_group) == ("ta_expected_reading", "disadvantaged_gap")
    data["kpi_group"] = "not_a_group"
    assert client.post(url, data).status_code == 400
