"""A school's dates in the trust-wide pages (cross-app, so outside trusts/tests: the import layers
forbid trusts importing domain apps): a school that left drops out of current roll-ups, one that
joins mid-year appears from its joining date, and URN links carry KPI history across a conversion."""

import datetime

import pytest
from django.utils import timezone

from tests.world import make_school
from trustwide.audit.models import AuditEvent
from trustwide.trusts import services
from trustwide.trusts.models import School
from trustwide.trusts.utils import current_academic_start_year

pytestmark = pytest.mark.django_db


def last_event(**filters):
    return AuditEvent.objects.filter(**filters).order_by("-pk").first()


def test_kpi_table_shows_a_school_for_the_years_it_belonged(world):
    from trustwide.kpis.selectors import trust_school_table

    leader = world.user("trust_leader")
    year = 2025
    School.objects.filter(pk=world.school_a2.pk).update(left_trust_on=datetime.date(2025, 8, 31))
    joiner = make_school(world.trust_a, world.hub_1, joined_trust_on=datetime.date(2026, 1, 5))

    def shown(academic_year):
        rows, _ = trust_school_table(user=leader, trust=world.trust_a, academic_year=academic_year)
        return {r.school for r in rows}

    assert shown(year - 1) == {
        world.school_a1,
        world.school_a2,
    }  # 2024/25: A2 still in, joiner not yet
    assert shown(year) == {world.school_a1, joiner}  # 2025/26: A2 gone, joiner from January


def test_planning_rollup_counts_schools_in_the_trust_during_the_term(world):
    from trustwide.planning.selectors import rollup
    from trustwide.trusts.models import Term

    term = Term.objects.filter(academic_year__trust=world.trust_a).order_by("starts_on").first()
    School.objects.filter(pk=world.school_a2.pk).update(
        left_trust_on=term.starts_on - datetime.timedelta(days=1)
    )
    joiner = make_school(
        world.trust_a, world.hub_1, joined_trust_on=term.ends_on - datetime.timedelta(days=3)
    )
    later = make_school(
        world.trust_a, world.hub_1, joined_trust_on=term.ends_on + datetime.timedelta(days=1)
    )
    rows, _total, _before = rollup(user=world.user("trust_leader"), trust=world.trust_a, term=term)
    schools = {r.school for kind, r in rows if kind == "school"}
    assert schools == {world.school_a1, joiner}
    assert later not in schools


def test_risk_rollup_and_support_leave_out_a_closed_school(world):
    from trustwide.peer_review.selectors import support_signals
    from trustwide.risks.selectors import trust_register
    from trustwide.risks.tests.factories import make_risk

    make_risk(world.trust_a, world.school_a1, likelihood=5, impact=5)
    make_risk(world.trust_a, world.school_a2, likelihood=5, impact=5)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    assert {r.school for r in trust_register(world.trust_a)[1]} == {
        world.school_a1,
        world.school_a2,
    }
    School.objects.filter(pk=world.school_a2.pk).update(left_trust_on=yesterday)
    assert {r.school for r in trust_register(world.trust_a)[1]} == {world.school_a1}
    assert {s for s, _ in support_signals(trust=world.trust_a)} == {world.school_a1}


def test_urn_link_keeps_kpi_history_after_conversion(world):
    from trustwide.dashboards.selectors import school_trends
    from trustwide.kpis.models import KpiValue
    from trustwide.kpis.selectors import school_readings, trust_school_table

    year = current_academic_start_year()
    old = world.school_a2  # the maintained school, closed when it converted
    School.objects.filter(pk=old.pk).update(left_trust_on=datetime.date(year, 8, 31))
    new = make_school(
        world.trust_a,
        world.hub_2,
        urn=150123,
        name="A2 Academy",
        joined_trust_on=datetime.date(year, 9, 1),
    )
    now = timezone.now()
    KpiValue.objects.create(
        trust=world.trust_a,
        academic_year=year - 1,
        kpi_code="overall_absence",
        level="school",
        school=old,
        period="year",
        group="all",
        value=6.5,
        pupils=200,
        computed_at=now,
    )
    KpiValue.objects.create(
        trust=world.trust_a,
        academic_year=year,
        kpi_code="overall_absence",
        level="school",
        school=new,
        period="year",
        group="all",
        value=5.0,
        pupils=200,
        computed_at=now,
    )

    def last_year_value():
        reading = next(
            r
            for r in school_readings(
                school=new, academic_year=year, codes=["overall_absence"], with_percentiles=False
            )
        )
        return reading.last_year

    assert last_year_value() is None  # without the link the history stops at the new URN
    services.school_link_create(
        actor=world.user("trust_administrator"),
        school=new,
        predecessor_urn=old.urn,
        link_type="Predecessor",
        linked_on=datetime.date(year, 9, 1),
    )
    assert last_event(object_type="trusts.schoollink").action == "create"
    assert last_year_value() == 6.5
    _terms, years, _ = school_trends(school=new, academic_year=year, codes=["overall_absence"])
    assert years["overall_absence"] == {year - 1: 6.5, year: 5.0}
    rows, _ = trust_school_table(
        user=world.user("trust_leader"),
        trust=world.trust_a,
        academic_year=year,
        codes=["overall_absence"],
    )
    row = next(r for r in rows if r.school == new)
    assert row.readings["overall_absence"].last_year == 6.5


def test_sef_trust_matrix_lists_the_schools_of_that_year(world):
    from trustwide.evaluation.selectors import trust_matrix
    from trustwide.trusts.models import AcademicYear

    year = AcademicYear.objects.get(trust=world.trust_a, is_current=True)
    School.objects.filter(pk=world.school_a2.pk).update(
        left_trust_on=year.starts_on - datetime.timedelta(days=1)
    )
    matrix = trust_matrix(
        user=world.user("trust_leader"),
        trust=world.trust_a,
        year=year,
        framework_code="ofsted-eif-2019",
    )
    assert {row.school for row in matrix.rows} == {world.school_a1}
