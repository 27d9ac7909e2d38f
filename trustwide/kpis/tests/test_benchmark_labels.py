"""Defects and labels of issue 18: `benchmarks --help`, national years as 2024/25."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from trustwide.kpis.national import lookup


def test_benchmarks_help_prints_instead_of_crashing(capsys):
    with pytest.raises(SystemExit) as exit_:
        call_command("benchmarks", "--help")
    assert exit_.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "% FSM ever" in out and "--census" in out


def test_national_figure_names_its_year_as_an_academic_year(db):
    match = lookup(measure="overall_absence", academic_year=2024, phase="primary")
    assert match is not None
    label = match.row.year_label
    start = match.row.academic_year
    assert label == f"{start}/{(start + 1) % 100:02d}"
    assert "/" in label and f"({start})" not in label


@pytest.mark.parametrize(
    "n, text",
    [
        (0, "0th"),
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (22, "22nd"),
        (43, "43rd"),
        (100, "100th"),
        (101, "101st"),
        (111, "111th"),
        (112, "112th"),
    ],
)
def test_ordinals_are_english(n, text):
    from trustwide.trusts.utils import ordinal

    assert ordinal(n) == text


def _published(year, values, *, fsm=20.0):
    from trustwide.kpis.models import SchoolPerformance

    SchoolPerformance.objects.bulk_create(
        SchoolPerformance(
            academic_year=year,
            urn=100000 + i,
            phase="primary",
            fsm_ever_pct=fsm + i,
            kpi_code="overall_absence",
            value=v,
            source_file="hand.csv",
        )
        for i, v in enumerate(values)
    )


def test_percentiles_name_the_year_of_the_distribution_and_say_when_it_is_older(world, login):
    from django.urls import reverse

    from trustwide.kpis import definitions as d
    from trustwide.kpis import selectors

    school = world.school_a1
    school.phase, school.percent_disadvantaged = "primary", 25
    school.save()
    kpi = d.kpi_by_code("overall_absence")
    # 8 published 2018/19 figures; 3.5% absence (lower is better) beats the 5 schools above it.
    _published(2018, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0])
    placed = selectors.place_school(kpi=kpi, value=3.5, school=school, academic_year=2024)
    national = placed["national"]
    assert national.percentile == 62.5 and national.year == 2018
    assert national.label == (
        "62nd percentile: better than 62% of 8 primary schools in England, 2018/19 figures "
        "(older than the 2024/25 value compared)"
    )
    assert "2018/19 figures" in placed["similar"].label
    # A later year loaded for the measure becomes the distribution used; same year: no "older" note.
    _published(2024, [3.0, 4.0, 5.0])  # 3.5% beats 4 and 5: 2 of 3
    latest = selectors.place_school(kpi=kpi, value=3.5, school=school, academic_year=2024)[
        "national"
    ]
    assert latest.year == 2024 and latest.n == 3
    assert (
        latest.label
        == "67th percentile: better than 67% of 3 primary schools in England, 2024/25 figures"
    )

    from django.utils import timezone

    from tests.world import make_year
    from trustwide.kpis.models import KpiValue

    make_year(world.trust_a, 2024, current=False)
    KpiValue.objects.create(
        trust=world.trust_a,
        academic_year=2024,
        kpi_code="overall_absence",
        level="school",
        school=school,
        period="year",
        group="all",
        value=3.5,
        pupils=200,
        computed_at=timezone.now(),
    )
    client = login(world.user("headteacher"))
    body = client.get(
        reverse("kpis:school-kpis", kwargs={"pk": school.pk}), {"year": 2024}
    ).content.decode()
    assert (
        "67th percentile: better than 67% of 3 primary schools in England, 2024/25 figures" in body
    )
    assert "th of" not in body


def test_similar_schools_are_closest_in_disadvantage_then_in_size(world):
    from trustwide.kpis import definitions as d
    from trustwide.kpis import selectors
    from trustwide.kpis.models import SchoolPerformance

    def rows(first_urn, count, *, fsm, nor, value):
        return [
            SchoolPerformance(
                academic_year=2018,
                urn=first_urn + i,
                phase="primary",
                fsm_ever_pct=fsm,
                pupils_on_roll=nor,
                kpi_code="overall_absence",
                value=value,
                source_file="h.csv",
            )
            for i in range(count)
        ]

    # 300 schools as disadvantaged as ours: 150 large ones (listed first) with 9% absence and
    # 150 of our size with 1%; 100 of our size but far more disadvantaged, with 5%.
    SchoolPerformance.objects.bulk_create(
        rows(100000, 150, fsm=25.0, nor=1000, value=9.0)
        + rows(200000, 150, fsm=25.0, nor=210, value=1.0)
        + rows(300000, 100, fsm=60.0, nor=200, value=5.0)
    )
    school = world.school_a1
    school.phase, school.percent_disadvantaged, school.pupils_on_roll = "primary", 25, 200
    school.save()
    kpi = d.kpi_by_code("overall_absence")
    similar = selectors.place_school(kpi=kpi, value=3.0, school=school, academic_year=2018)[
        "similar"
    ]
    # The 100 compared are the same-size, same-disadvantage schools, all at 1%: 3% beats none.
    assert similar.n == 100 and similar.percentile == 0.0
    assert (
        "closest % disadvantaged (25-25%) and size (210-210 pupils, this school 200)"
        in similar.comparison
    )
    assert similar.label.startswith("0th percentile: better than 0% of the 100 primary schools")
    # Without a known size, only disadvantage counts (ties by URN: the large schools at 9%).
    school.pupils_on_roll = 0
    school.save()
    unsized = selectors.place_school(kpi=kpi, value=3.0, school=school, academic_year=2018)[
        "similar"
    ]
    assert unsized.percentile == 100.0 and "size" not in unsized.comparison


def test_similar_schools_page_names_the_schools_compared_with(world, login):
    """Issue 18 item 3: the page names the similar schools behind the percentile, from the
    published figures (names kept from the file), and leaves the school itself out."""
    from django.urls import reverse

    from trustwide.kpis.models import SchoolPerformance

    school = world.school_a1
    school.phase, school.percent_disadvantaged, school.pupils_on_roll = "primary", 30, 0
    school.save()
    SchoolPerformance.objects.bulk_create(
        [
            SchoolPerformance(
                academic_year=2023,
                urn=500000 + i,
                phase="primary",
                fsm_ever_pct=30.0 + i,
                kpi_code="overall_absence",
                value=4.0 + i / 10,
                source_file="england_abs.csv",
                school_name=f"Published School {i}",
            )
            for i in range(3)
        ]
        + [
            SchoolPerformance(
                academic_year=2023,
                urn=school.urn,
                phase="primary",
                fsm_ever_pct=30.0,
                kpi_code="overall_absence",
                value=5.0,
                source_file="england_abs.csv",
                school_name="Our own published row",
            ),
            SchoolPerformance(
                academic_year=2023,
                urn=600000,
                phase="secondary",
                fsm_ever_pct=30.0,
                kpi_code="overall_absence",
                value=5.0,
                source_file="england_abs.csv",
                school_name="A Secondary School",
            ),
        ]
    )
    client = login(world.user("trust_leader"))
    url = reverse("kpis:similar-schools", kwargs={"pk": school.pk, "code": "overall_absence"})
    body = client.get(url).content.decode()
    for i in range(3):
        assert f"Published School {i}" in body
    assert "Our own published row" not in body and "A Secondary School" not in body
    assert "3 similar schools, 2023/24 figures" in body
    # An unknown KPI is 404; another trust's school is 404.
    bad = reverse("kpis:similar-schools", kwargs={"pk": school.pk, "code": "no_such_kpi"})
    assert client.get(bad).status_code == 404
    other = reverse(
        "kpis:similar-schools", kwargs={"pk": world.school_b1.pk, "code": "overall_absence"}
    )
    assert client.get(other).status_code == 404
