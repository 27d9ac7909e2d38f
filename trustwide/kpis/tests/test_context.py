"""Performance-table importer (real DfE files), percentiles, national benchmarks, teaching."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from trustwide.kpis.engine import RESULT_SCHEMA, teaching_at_least_good
from trustwide.kpis.national import load_benchmarks, lookup
from trustwide.kpis.percentiles import SchoolPoint, percentile_rank, place, points_from_tables
from trustwide.kpis.performance_tables import (
    Marker,
    PerformanceTableError,
    Value,
    parse_value,
    read_performance_table,
)

# The real DfE files: beside the repository (../shared/data) or where
# TRUSTWIDE_PERFORMANCE_TABLES_DIR says (.ci/run sets it for a clone made elsewhere).
DATA = Path(
    os.environ.get(
        "TRUSTWIDE_PERFORMANCE_TABLES_DIR",
        Path(__file__).resolve().parents[4] / "shared" / "data" / "dfe_performance_tables_2018_19",
    )
)
needs_data = pytest.mark.skipif(not DATA.exists(), reason=f"real DfE files not found at {DATA}")


@pytest.fixture(scope="module")
def absence():
    return read_performance_table(DATA / "england_abs.csv")


@pytest.fixture(scope="module")
def census():
    return read_performance_table(DATA / "england_census.csv")


def test_markers_are_distinct_from_zero_and_each_other():
    values = [parse_value(t) for t in ("SUPP", "NE", "NA", "NP", "LOWCOV", "x", "c", "0")]
    assert len(set(values)) == 8
    assert parse_value("0") == Value(number=0.0)
    assert parse_value("SUPP") == Value(marker=Marker.SUPP) != Value(number=0.0)
    assert parse_value("") is None
    with pytest.raises(PerformanceTableError):
        parse_value("n/a")


@needs_data
def test_absence_file(absence):
    # national rows at the end: NAT,PRI,,4,8.2 / NAT,SEC,,5.5,13.7 / NAT,SPE,,10.1,28.8
    assert set(absence.national) == {"primary", "secondary", "special"}
    assert absence.national["primary"]["PERCTOT"] == Value(number=4.0)
    assert absence.national["secondary"]["PPERSABS10"] == Value(number=13.7)
    assert absence.national["special"]["PERCTOT"] == Value(number=10.1)
    assert not any(isinstance(k, str) for k in absence.schools)
    assert len(absence.schools) == 21217 - 3  # data lines minus the three national rows
    # first school in the file: 201,3614,100000,2.6,3.4
    s = absence.schools[100000]
    assert (s.la, s.estab) == ("201", "3614")
    assert s.values["PERCTOT"] == Value(number=2.6)
    assert s.values["PPERSABS10"] == Value(number=3.4)
    # 202,2841,100027,2.2,SUPP: absence published, persistent absence suppressed
    assert absence.value(100027, "PPERSABS10") == Value(marker=Marker.SUPP)
    assert absence.value(100027, "PERCTOT") == Value(number=2.2)


@needs_data
def test_census_file(census):
    assert census.national["primary"]["NOR"] == Value(number=4727089)
    s = census.schools[100000]
    assert s.phase == "primary"
    assert s.values["NOR"] == Value(number=285)
    assert s.values["PNUMFSMEVER"] == Value(number=16.2)
    # 100001 is an independent school: EAL and FSM are NA, not zero
    assert census.value(100001, "PNUMEAL") == Value(marker=Marker.NA)
    assert census.value(100001, "TSENELSE") == Value(number=0.0)
    assert census.schools[100001].phase == "independent"


def test_percentile_rank_known_cases():
    pop = [1, 2, 3, 4]
    assert percentile_rank(5, pop, better="higher") == 100.0
    assert percentile_rank(0, pop, better="higher") == 0.0
    assert percentile_rank(2.5, pop, better="higher") == 50.0
    assert percentile_rank(3, pop, better="higher") == 62.5  # 2 below + half of 1 tie
    # lower is better: a low absence rate beats the schools above it
    assert percentile_rank(1, pop, better="lower") == 87.5
    assert percentile_rank(5, pop, better="lower") == 0.0
    assert percentile_rank(1, [], better="lower") is None


def test_similar_schools_nearest_by_disadvantage():
    points = [
        SchoolPoint(urn=i, phase="primary", fsm_ever_pct=float(i), value=float(i))
        for i in range(1, 301)
    ]
    points.append(SchoolPoint(urn=999, phase="secondary", fsm_ever_pct=50.0, value=1.0))
    out = place(
        value=50.0,
        phase="primary",
        fsm_ever_pct=50.0,
        points=points,
        better="higher",
        exclude_urn=50,
        similar_n=10,
    )
    assert out["national"].n == 299  # other primaries only
    assert out["similar"].n == 10
    # nearest 10 to 50% (50 itself excluded): 45..49 and 51..55 -> value beats 5 of 10
    assert out["similar"].percentile == 50.0


@needs_data
def test_place_real_school(absence, census):
    points = points_from_tables(measures=absence, column="PERCTOT", census=census)
    out = place(
        value=2.6,
        phase="primary",
        fsm_ever_pct=16.2,
        points=points,
        better="lower",
        exclude_urn=100000,
    )
    # 2.6% overall absence is well below the primary national 4.0%: high percentile
    assert out["national"].percentile > 90
    assert out["national"].n > 15000
    assert out["similar"].n == 100


def test_benchmarks_csv_shape_and_flags():
    rows = load_benchmarks()
    assert all(r.source for r in rows)
    unverified = {(r.measure, r.academic_year) for r in rows if not r.verified}
    assert ("overall_absence", 2022) in unverified  # 2022/23 census 7.4% [UNVERIFIED]
    assert ("ks4_attainment8", 2023) in unverified


@needs_data
def test_benchmarks_2018_match_the_real_nat_rows(absence, db):
    for phase in ("primary", "secondary", "special"):
        m = lookup(measure="overall_absence", academic_year=2018, phase=phase)
        assert m.exact and m.row.verified
        assert Value(number=m.value) == absence.national[phase]["PERCTOT"]
        p = lookup(measure="persistent_absence", academic_year=2018, phase=phase)
        assert Value(number=p.value) == absence.national[phase]["PPERSABS10"]


def test_benchmark_lookup_preferences(db):
    m = lookup(measure="overall_absence", academic_year=2023)
    assert (
        m.value == 7.2 and m.row.basis == "daily" and m.row.verified
    )  # over census 7.1 unverified
    m = lookup(
        measure="overall_absence", academic_year=2023, allow_unverified=True, period="autumn"
    )
    assert m.value == 6.69  # census beats daily 6.7 when both are verified
    m = lookup(measure="phonics_y1", academic_year=2025)
    assert m.row.academic_year == 2024 and not m.exact and "no 2025/26 figure" in m.explanation
    m = lookup(measure="overall_absence", academic_year=2023, phase="primary")
    assert m.row.phase == "all" and "for all phases" in m.explanation
    m = lookup(measure="ks4_attainment8", academic_year=2023)
    assert not m.row.verified and "UNVERIFIED" in m.explanation
    assert (
        lookup(
            measure="ks4_attainment8", academic_year=2023, allow_unverified=False
        ).row.academic_year
        == 2022
    )
    assert lookup(measure="no_such_measure", academic_year=2023) is None


def test_teaching_at_least_good():
    terms = [
        ("autumn", date(2025, 9, 1), date(2025, 12, 19)),
        ("spring", date(2026, 1, 5), date(2026, 3, 27)),
    ]
    records = [(100001, "H1", date(2025, 10, 1), g) for g in (True, True, True, False, True)]
    records += [(100002, "H1", date(2026, 1, 20), True), (100002, "H1", date(2026, 1, 21), False)]
    records += [(100003, None, date(2024, 10, 1), True)]  # previous year: ignored
    out = teaching_at_least_good(
        records, trust_id=7, academic_year=2025, terms=terms, as_of=date(2026, 1, 31)
    )
    assert out.schema == RESULT_SCHEMA
    rows = {(r["level"], r["scope_id"], r["period"]): r for r in out.to_pylist()}
    assert rows[("school", "100001", "autumn")]["value"] == 80.0  # 4 of 5
    assert rows[("school", "100002", "spring")]["suppressed"]  # 2 judgements < 5
    assert rows[("hub", "H1", "ytd")]["value"] == pytest.approx(5 / 7 * 100)
    assert rows[("trust", "7", "year")]["pupils"] == 7
    assert ("school", "100003", "year") not in rows


def test_docs_list_every_kpi():
    from trustwide.kpis.definitions import KPIS

    text = (Path(__file__).resolve().parents[3] / "docs" / "KPIS.md").read_text()
    missing = [k.code for k in KPIS if f"`{k.code}`" not in text]
    assert not missing
