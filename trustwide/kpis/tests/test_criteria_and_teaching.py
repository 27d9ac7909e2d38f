"""Success criteria bound to a KPI take their status from the stored values; '% of teaching at
least good' is computed from lesson-observation records at the next refresh."""

import datetime

from django.urls import reverse
from django.utils import timezone

from trustwide.kpis.criteria import criterion_statuses
from trustwide.kpis.models import KpiValue
from trustwide.kpis.services import kpis_refresh
from trustwide.planning.models import MonitoringRecord, SuccessCriterion
from trustwide.planning.tests.factories import plan_for


def _stored(world, year, code, value, *, suppressed=False, period="ytd"):
    KpiValue.objects.create(
        trust=world.trust_a,
        academic_year=year,
        kpi_code=code,
        level="school",
        school=world.school_a1,
        period=period,
        group="all",
        value=None if suppressed else value,
        pupils=40,
        suppressed=suppressed,
        computed_at=timezone.now(),
    )


def test_bound_criteria_are_met_or_not_from_data(world, login):
    plan = plan_for(world.school_a1)
    year = plan.academic_year.start_year
    today = datetime.date(year + 1, 1, 15)  # during the year: year to date
    crit = SuccessCriterion.objects.get(priority__plan=plan)
    crit.kpi_code, crit.target = "ta_expected_reading", "72"
    crit.save()
    lower = SuccessCriterion.objects.create(
        priority=crit.priority,
        description="Absence falls to 5%",
        measure="%",
        target="5",
        kpi_code="overall_absence",
    )
    suppressed = SuccessCriterion.objects.create(
        priority=crit.priority,
        description="PA falls to 10%",
        measure="%",
        target="10",
        kpi_code="persistent_absence",
    )
    missing = SuccessCriterion.objects.create(
        priority=crit.priority, description="GLD 70%", measure="%", target="70", kpi_code="eyfs_gld"
    )
    _stored(world, year, "ta_expected_reading", 74.0)
    _stored(world, year, "overall_absence", 5.6)  # lower is better: 5.6 > 5 is not met
    _stored(world, year, "persistent_absence", None, suppressed=True)
    statuses = criterion_statuses(plan, [crit, lower, suppressed, missing], today=today)
    assert statuses[crit.pk].met is True and "74.0%" in statuses[crit.pk].detail
    assert statuses[lower.pk].met is False and statuses[lower.pk].label == "Not yet met"
    assert statuses[suppressed.pk].met is None and "Fewer than 10" in statuses[suppressed.pk].detail
    assert statuses[missing.pk].label == "No data yet"
    # The plan page shows it (the KPI app plugs into planning's hook).
    client = login(world.user("headteacher"))
    body = client.get(reverse("planning:plan-detail", kwargs={"pk": plan.pk})).content.decode()
    assert "Not yet met" in body or "Met from data" in body or "No data yet" in body


def test_teaching_at_least_good_comes_from_lesson_observations(world):
    plan = plan_for(world.school_a1)
    year = plan.academic_year
    activity = plan.activities.get()
    autumn = year.terms.get(name="autumn")
    day = autumn.starts_on + datetime.timedelta(days=14)
    for i, good in enumerate([True, True, True, False, True, False]):
        MonitoringRecord.objects.create(
            activity=activity,
            carried_out_on=day + datetime.timedelta(days=i),
            findings="seen",
            good_or_better=good,
        )
    kpis_refresh(trust=world.trust_a, academic_year=year.start_year, as_of=autumn.ends_on)
    row = KpiValue.objects.get(
        kpi_code="teaching_at_least_good",
        level="school",
        school=world.school_a1,
        period="autumn",
        group="all",
    )
    assert (row.numerator, row.denominator, row.pupils) == (4, 6, 6)
    assert abs(row.value - 100 * 4 / 6) < 1e-9


def test_teaching_quality_is_labelled_in_observations_not_pupils(world, login):
    """Teaching at least good counts judgements: its suppression label, n and criterion
    status say observations wherever they appear; pupil KPIs still say pupils."""
    from trustwide.kpis import definitions as d
    from trustwide.kpis.selectors import Reading

    teaching = d.kpi_by_code("teaching_at_least_good")
    few = Reading(teaching, computed=True, suppressed=True, pupils=3)
    assert few.display == "fewer than 5 observations"
    assert few.n_label == "n=3 observations"
    pupils = Reading(d.kpi_by_code("overall_absence"), computed=True, suppressed=True, pupils=3)
    assert pupils.display == f"fewer than {pupils.kpi.min_group_size} pupils"
    assert pupils.n_label == "n=3"

    plan = plan_for(world.school_a1)
    year = plan.academic_year.start_year
    crit = SuccessCriterion.objects.get(priority__plan=plan)
    crit.kpi_code, crit.target = "teaching_at_least_good", "80"
    crit.save()
    _stored(world, year, "teaching_at_least_good", None, suppressed=True)
    status = criterion_statuses(plan, [crit], today=datetime.date(year + 1, 1, 15))[crit.pk]
    assert status.label == "Too few observations"
    assert status.detail == "Fewer than 5 observations: not shown."
    assert "pupils" not in status.detail

    client = login(world.user("headteacher"))
    body = client.get(reverse("kpis:definitions")).content.decode()
    assert "5 observations" in body
