"""A KPI-bound success criterion the school has not rated feeds the strategic plan's termly RAG
from the stored KPI value (through the provider the KPI app registers with planning.hooks)."""

from django.utils import timezone

from trustwide.kpis.models import KpiValue
from trustwide.planning import msp_rag
from trustwide.planning.models import Priority, SchoolPlan, SuccessCriterion
from trustwide.planning.tests.factories import strategic_plan


def _value(world, value):
    year = world.trust_a.academic_years.get(is_current=True).start_year
    KpiValue.objects.update_or_create(
        trust=world.trust_a,
        academic_year=year,
        kpi_code="ks2_rwm_expected",
        level="school",
        school=world.school_a1,
        period="ytd",
        group="all",
        defaults={"value": value, "pupils": 60, "suppressed": False, "computed_at": timezone.now()},
    )


def test_unrated_kpi_criterion_counts_from_the_data(world):
    year = world.trust_a.academic_years.get(is_current=True)
    autumn = year.terms.order_by("number").first()
    msp = strategic_plan(world.trust_a)
    msp1 = msp.priorities.get(number=1)
    plan = SchoolPlan.objects.create(school=world.school_a1, academic_year=year)
    priority = Priority.objects.create(plan=plan, number=1, title="Reading, writing and maths")
    priority.trust_priorities.add(msp1)
    SuccessCriterion.objects.create(
        priority=priority,
        description="RWM at expected rises to 72%",
        kpi_code="ks2_rwm_expected",
        target="72",
    )
    assert msp_rag.school_inputs(msp, autumn)[msp1.pk][0].rating is None  # no data yet
    _value(world, 61.0)
    found = msp_rag.school_inputs(msp, autumn)[msp1.pk][0]
    assert (found.rating, found.source) == ("amber", "from actions and criteria")
    _value(world, 75.0)
    assert msp_rag.school_inputs(msp, autumn)[msp1.pk][0].rating == "green"
