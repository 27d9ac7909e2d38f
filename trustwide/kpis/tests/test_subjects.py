"""Results by subject on hand-built KS4 grades, with every answer worked out here.

This year, trust A:
  A1 history: 9 8 7 6 5 5 4 4 3 2 U X -> 11 entries (X is no result), 53 points,
     average 53/11 = 4.818, grade 4+ 8/11 = 72.7%, 5+ 6/11 = 54.5%, 7+ 3/11 = 27.3%.
  A1 art: 6 5 4 3 -> 4 entries: fewer than 5, nothing shown but the entries.
  A1 maths: ten 5s -> average 5.0, 4+ 100%.
  A2 history: ten 6s -> average 6.0, 4+ 100%, 5+ 100%, 7+ 0%.
  A2 maths: 4 4 4 3 3 3 -> 6 entries: average 3.5 shown, shares (need 10) not.
  Trust history: 21 entries, 113 points -> 5.381; 4+ 18/21 = 85.7%; 5+ 16/21 = 76.2%; 7+ 3/21 = 14.3%.
  Trust maths: 16 entries, 71 points -> 4.4375; 4+ 13/16 = 81.25%.
Last year: A1 history ten 4s -> average 4.0, 4+ 100%.
Trust B's school B1 has history 9s: never in trust A's figures.
"""

from __future__ import annotations

import pyarrow as pa
import pytest
from django.urls import reverse
from django.utils import timezone

from trustwide.data.schemas import STATUTORY
from trustwide.data.selectors import ks4_subject_totals
from trustwide.data.services import analytics_store
from trustwide.kpis import national, subjects
from trustwide.kpis.models import KpiValue, NationalFigure

A1_HISTORY = [9, 8, 7, 6, 5, 5, 4, 4, 3, 2, "U", "X"]


def _table(urn: int, year: int, prefix: str, grades: dict[str, list]) -> pa.Table:
    rows = []
    for subject, values in grades.items():
        for i, grade in enumerate(values):
            number = isinstance(grade, int | float)
            rows.append(
                {
                    "pupil_key": f"{prefix}-{i}",
                    "measure": f"KS4_{subject}",
                    "value_num": float(grade) if number else None,
                    "value_text": None if number else grade,
                    "school_urn": urn,
                    "academic_year": year,
                    "batch_id": "test",
                }
            )
    return pa.Table.from_pylist(rows, schema=STATUTORY.schema)


def _store(trust, year, tables):
    analytics_store().write_batch(
        dataset="statutory", trust_id=trust.pk, academic_year=year, tables=tables
    )


@pytest.fixture
def results(world):
    year = world.trust_a.academic_years.get(is_current=True).start_year
    a1, a2, b1 = world.school_a1, world.school_a2, world.school_b1
    _store(
        world.trust_a,
        year,
        {
            a1.urn: _table(
                a1.urn, year, "a1", {"HISTORY": A1_HISTORY, "ART": [6, 5, 4, 3], "MATHS": [5] * 10}
            ),
            a2.urn: _table(a2.urn, year, "a2", {"HISTORY": [6] * 10, "MATHS": [4, 4, 4, 3, 3, 3]}),
        },
    )
    _store(
        world.trust_a, year - 1, {a1.urn: _table(a1.urn, year - 1, "old", {"HISTORY": [4] * 10})}
    )
    _store(world.trust_b, year, {b1.urn: _table(b1.urn, year, "b1", {"HISTORY": [9] * 30})})
    return year


def _line(lines, subject):
    return next(line for line in lines if line.subject == subject)


def test_selector_returns_counts_per_school_and_trust(world, results):
    year = results
    got = {
        (t.urn, t.academic_year, t.subject): (t.entries, t.points, t.grade4, t.grade5, t.grade7)
        for t in ks4_subject_totals(trust_id=world.trust_a.pk, years=[year])
    }
    assert got[(world.school_a1.urn, year, "HISTORY")] == (11, 53.0, 8, 6, 3)
    assert got[(world.school_a2.urn, year, "MATHS")] == (6, 21.0, 3, 0, 0)
    assert got[(None, year, "HISTORY")] == (21, 113.0, 18, 16, 3)  # trust B's 9s left out
    assert (world.school_b1.urn, year, "HISTORY") not in got
    assert all(
        not hasattr(t, "pupil_key")
        for t in ks4_subject_totals(trust_id=world.trust_a.pk, years=[year])
    )


def test_school_figures_suppression_trust_average_and_flags(world, results):
    year = results
    lines = subjects.ks4_school_subjects(
        school=world.school_a1, academic_year=year, with_trust=True
    )
    assert [line.subject for line in lines] == ["MATHS", "HISTORY", "ART"]  # KS4_SUBJECTS order
    history = _line(lines, "HISTORY")
    assert history.now.entries == 11
    assert history.now.average == pytest.approx(53 / 11)
    assert history.now.grade4 == pytest.approx(800 / 11)
    assert history.now.grade5 == pytest.approx(600 / 11)
    assert history.now.grade7 == pytest.approx(300 / 11)
    assert (history.last.average, history.last.grade4) == (4.0, 100.0)
    assert history.trust.average == pytest.approx(113 / 21)
    assert history.trust.grade4 == pytest.approx(1800 / 21)
    # 4.82 < 5.38, 72.7% < 85.7%, 54.5% < 76.2%; 27.3% > 14.3% is not flagged.
    assert history.below_trust == ["average", "grade4", "grade5"]
    assert history.below_national == [] and not history.has_national
    assert history.national_texts["grade4"] == subjects.NO_NATIONAL

    art = _line(lines, "ART")
    assert art.now.entries == 4
    assert (art.now.average, art.now.grade4) == (None, None)
    assert art.texts["average"] == "fewer than 5 entries"
    assert art.texts["grade4"] == "fewer than 10 entries"
    assert art.below_trust == []  # nothing shown, nothing compared

    a2 = subjects.ks4_school_subjects(school=world.school_a2, academic_year=year, with_trust=True)
    maths = _line(a2, "MATHS")
    assert maths.now.average == 3.5 and maths.now.grade4 is None  # 6 entries: average only
    assert maths.trust.average == pytest.approx(71 / 16)
    assert maths.below_trust == ["average"]
    assert _line(a2, "HISTORY").below_trust == ["grade7"]  # 0% against 14.3%


def test_below_national_flag_when_a_national_figure_exists(world, results):
    year = results
    NationalFigure.objects.create(
        measure=subjects.national_measure("HISTORY", "grade4"),
        academic_year=year,
        phase="all",
        value=80.0,
        basis="exams",
        source="hand-made for this test",
        verified=True,
    )
    national.forget_imported()
    a1 = _line(
        subjects.ks4_school_subjects(school=world.school_a1, academic_year=year, with_trust=True),
        "HISTORY",
    )
    a2 = _line(
        subjects.ks4_school_subjects(school=world.school_a2, academic_year=year, with_trust=True),
        "HISTORY",
    )
    assert a1.below_national == ["grade4"]  # 72.7% < 80%
    assert a2.below_national == []  # 100%
    assert a1.national_texts["grade4"].startswith("80.0%")
    assert a1.national_texts["average"] == subjects.NO_NATIONAL


def test_trust_grid_and_hub_scope(world, results, client):
    year = results
    url = reverse("kpis:trust-subjects", kwargs={"slug": world.trust_a.slug})
    client.force_login(world.user("trust_leader"))
    page = client.get(url, {"year": year, "key_stage": "ks4", "figure": "grade4"}).content.decode()
    assert "72.7%" in page and "85.7%" in page and "below the trust" in page
    assert world.school_a1.name in page and world.school_a2.name in page
    assert subjects.NO_NATIONAL in page
    # The executive headteacher of hub H1 sees A1's column, not A2's; the trust average is the
    # same (every school of the trust counted).
    client.force_login(world.user("executive_headteacher"))
    page = client.get(url, {"year": year, "key_stage": "ks4"}).content.decode()
    assert world.school_a1.name in page and world.school_a2.name not in page
    assert "85.7%" in page


def test_governor_sees_aggregates_and_no_pupils(world, results, client):
    year = results
    client.force_login(world.user("local_governor"))
    response = client.get(
        reverse("kpis:school-subjects", kwargs={"pk": world.school_a1.pk}),
        {"year": year, "key_stage": "ks4"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "History" in page and "72.7%" in page and "fewer than 5 entries" in page
    assert "a1-0" not in page and "pupil_key" not in page


def test_another_trusts_school_is_404(world, results, client):
    client.force_login(world.user("trust_leader"))
    response = client.get(reverse("kpis:school-subjects", kwargs={"pk": world.school_b1.pk}))
    assert response.status_code == 404
    response = client.get(reverse("kpis:trust-subjects", kwargs={"slug": world.trust_b.slug}))
    assert response.status_code == 404


def _kpi(world, school, code, value, year, *, level="school", pupils=30):
    return KpiValue.objects.create(
        trust=world.trust_a,
        academic_year=year,
        kpi_code=code,
        level=level,
        school=school,
        period="year",
        group="all",
        value=value,
        pupils=pupils,
        computed_at=timezone.now(),
    )


def test_ks2_subjects_read_the_stored_kpis(world, client):
    year = world.trust_a.academic_years.get(is_current=True).start_year
    _kpi(world, world.school_a1, "ks2_reading_expected", 60.0, year)
    _kpi(world, world.school_a1, "ks2_reading_expected", 70.0, year - 1)
    _kpi(world, None, "ks2_reading_expected", 65.0, year, level="trust")
    _kpi(world, world.school_a1, "ks2_average_maths", 106.0, year)
    _kpi(world, None, "ks2_average_maths", 104.0, year, level="trust")
    lines = subjects.ks2_school_subjects(
        school=world.school_a1, academic_year=year, with_trust=True
    )
    reading = next(line for line in lines if line.reading.kpi.code == "ks2_reading_expected")
    assert (reading.reading.value, reading.reading.last_year, reading.trust.value) == (60, 70, 65)
    assert reading.below_trust  # 60% < the trust's 65%
    maths = next(line for line in lines if line.reading.kpi.code == "ks2_average_maths")
    assert not maths.below_trust  # 106 > 104
    # The trust grid shows A1 (it has KS2 figures) and not A2 (none stored).
    client.force_login(world.user("trust_leader"))
    page = client.get(
        reverse("kpis:trust-subjects", kwargs={"slug": world.trust_a.slug}),
        {"year": year, "key_stage": "ks2"},
    ).content.decode()
    assert "60.0%" in page and "65.0%" in page and "below the trust" in page
    assert "No key stage 2 figures in" in page


# Measured when written, the same with 2 schools as with 8: KS4 trust grid 8 queries and school
# page 6 (the store read is DuckDB, not a query); KS2 12 and 13 (this year's and last year's KPI
# values with their earlier periods, targets, URN links, the trust's own values, national
# figures).
TRUST_MAX_QUERIES = 12
SCHOOL_MAX_QUERIES = 13


@pytest.mark.parametrize("key_stage", ["ks4", "ks2"])
def test_pages_have_bounded_query_counts(
    world, results, client, django_assert_max_num_queries, key_stage
):
    from tests.world import make_school

    for i in range(6):
        make_school(world.trust_a, world.hub_1, name=f"Extra {i}")
    client.force_login(world.user("trust_leader"))
    trust_url = reverse("kpis:trust-subjects", kwargs={"slug": world.trust_a.slug})
    school_url = reverse("kpis:school-subjects", kwargs={"pk": world.school_a1.pk})
    params = {"year": results, "key_stage": key_stage}
    client.get(trust_url, params)  # warm the session
    with django_assert_max_num_queries(TRUST_MAX_QUERIES):
        assert client.get(trust_url, params).status_code == 200
    with django_assert_max_num_queries(SCHOOL_MAX_QUERIES):
        assert client.get(school_url, params).status_code == 200
