"""What a school's KPI page shows: value, n, target and national with their ratings, last year,
percentiles; targets set by the right people; published DfE figures imported with markers kept."""

import os
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from trustwide.kpis import selectors
from trustwide.kpis.models import KpiTarget, KpiValue, SchoolPerformance
from trustwide.kpis.performance_import import import_performance_tables

# The real DfE files: beside the repository (../shared/data) or where
# TRUSTWIDE_PERFORMANCE_TABLES_DIR says (.ci/run sets it for a clone made elsewhere).
DATA = Path(
    os.environ.get(
        "TRUSTWIDE_PERFORMANCE_TABLES_DIR",
        Path(__file__).resolve().parents[4] / "shared" / "data" / "dfe_performance_tables_2018_19",
    )
)


def _value(
    world,
    year,
    code,
    value,
    *,
    school=None,
    pupils=120,
    suppressed=False,
    group="all",
    level="school",
):
    return KpiValue.objects.create(
        trust=world.trust_a,
        academic_year=year,
        kpi_code=code,
        level=level,
        school=school or world.school_a1,
        period="year",
        group=group,
        value=None if suppressed else value,
        numerator=None,
        denominator=None,
        pupils=pupils,
        suppressed=suppressed,
        computed_at=timezone.now(),
    )


def test_reading_carries_target_national_change_and_ratings(world):
    _value(world, 2025, "overall_absence", 6.5)
    _value(world, 2024, "overall_absence", 5.0)
    _value(world, 2025, "persistent_absence", None, suppressed=True, pupils=8)
    KpiTarget.objects.create(
        trust=world.trust_a, school=None, academic_year=2025, kpi_code="overall_absence", target=6.0
    )
    readings = {
        r.kpi.code: r
        for r in selectors.school_readings(
            school=world.school_a1,
            academic_year=2025,
            codes=["overall_absence", "persistent_absence", "phonics_y1"],
            with_percentiles=False,
        )
    }
    absence = readings["overall_absence"]
    assert absence.value == 6.5 and absence.pupils == 120 and absence.change == pytest.approx(1.5)
    # Lower is better: 0.5 points worse than the 6.0 target is amber (tolerance 1.0 for attendance).
    assert absence.target == 6.0 and absence.target_source == "trust default"
    assert absence.target_rating.colour == "amber"
    # A school's own target replaces the trust default.
    KpiTarget.objects.create(
        trust=world.trust_a,
        school=world.school_a1,
        academic_year=2025,
        kpi_code="overall_absence",
        target=7.0,
    )
    [absence] = selectors.school_readings(
        school=world.school_a1,
        academic_year=2025,
        codes=["overall_absence"],
        with_percentiles=False,
    )
    assert (
        absence.target == 7.0
        and absence.target_source == "school target"
        and absence.target_rating.colour == "green"
    )
    # National figure for a primary school comes with its year and source.
    assert absence.national is not None and absence.national.row.phase in ("primary", "all")
    expected = (
        "green"
        if absence.value <= absence.national.value
        else ("amber" if absence.value - absence.national.value < 1.0 else "red")
    )
    assert absence.national_rating.colour == expected
    suppressed = readings["persistent_absence"]
    assert (
        suppressed.suppressed
        and suppressed.display == "fewer than 10 pupils"
        and suppressed.target_rating is None
    )
    assert readings["phonics_y1"].display == "no data"


def test_school_kpi_page_shows_suppression_and_is_scoped(world, login):
    _value(world, 2025, "overall_absence", 6.5)
    _value(world, 2025, "persistent_absence", None, suppressed=True, pupils=8)
    from tests.world import make_year

    make_year(world.trust_a, 2025, current=False)
    client = login(world.user("local_governor"))
    body = client.get(
        reverse("kpis:school-kpis", kwargs={"pk": world.school_a1.pk}), {"year": 2025}
    ).content.decode()
    assert "6.5%" in body and "fewer than 10 pupils" in body
    assert "0.0%" not in body and "100.0%" not in body
    assert (
        client.get(reverse("kpis:school-kpis", kwargs={"pk": world.school_a2.pk})).status_code
        == 404
    )


def test_targets_form_validates_and_saves_nothing_on_error(world, login):
    client = login(world.user("trust_data_manager"))
    url = reverse("kpis:trust-targets", kwargs={"slug": world.trust_a.slug})
    year = world.trust_a.academic_years.get(is_current=True).start_year
    bad = client.post(url, {"year": year, "overall_absence": "5.5", "phonics_y1": "140"})
    assert bad.status_code == 400 and "between 0 and 100" in bad.content.decode()
    assert not KpiTarget.objects.exists()
    good = client.post(url, {"year": year, "overall_absence": "5.5", "phonics_y1": "82"})
    assert good.status_code == 302
    assert dict(KpiTarget.objects.values_list("kpi_code", "target")) == {
        "overall_absence": 5.5,
        "phonics_y1": 82.0,
    }


@pytest.mark.skipif(not DATA.exists(), reason="the shared DfE files are not beside the repository")
def test_performance_tables_import_keeps_markers_and_places_schools(world):
    result = import_performance_tables(
        academic_year=2018,
        measures_path=DATA / "england_abs.csv",
        census_path=DATA / "england_census.csv",
    )
    assert result["rows"] > 30000 and result["markers"] > 0
    markers = set(SchoolPerformance.objects.exclude(marker="").values_list("marker", flat=True))
    assert "SUPP" in markers
    assert not SchoolPerformance.objects.filter(marker="SUPP").exclude(value=None).exists(), (
        "a marker is never a number"
    )
    # National rows are not schools.
    assert not SchoolPerformance.objects.filter(urn=0).exists()
    primary = sorted(
        SchoolPerformance.objects.filter(
            kpi_code="overall_absence", phase="primary", value__isnull=False
        ).values_list("value", flat=True)
    )
    median = primary[len(primary) // 2]
    kpi = selectors.d.kpi_by_code("overall_absence")
    placed = selectors.place_school(kpi=kpi, value=median, school=world.school_a1)
    assert 45 <= placed["national"].percentile <= 55 and placed["national"].n == len(primary)
    # Lower absence is better: a school with the lowest absence beats nearly everyone.
    best = selectors.place_school(kpi=kpi, value=primary[0] - 0.1, school=world.school_a1)
    assert best["national"].percentile == 100.0
