"""Key stage 4 and key stage 2 KPIs on hand-built pupils, with the answers worked out here.

Trust 9, 2023/24. School S (300001) has Year 11 pupils built from five profiles; school P
(300002) has Year 6 KS2 results and Year 4 multiplication tables checks; school INF (300003) has
Year 2 key stage 1 teacher assessments (S and P have none).
"""

from __future__ import annotations

import importlib.util
import os
from datetime import date

import pytest

from trustwide.data.store import AnalyticsStore
from trustwide.kpis.engine import compute_kpis, ks4
from trustwide.kpis.tests import fixtures as f
from trustwide.kpis.tests.conftest import row

TRUST, YEAR = 9, 2023
S, P, INF = 300001, 300002, 300003
TERMS = [
    ("autumn", date(2023, 9, 4), date(2023, 12, 20)),
    ("spring", date(2024, 1, 3), date(2024, 3, 28)),
    ("summer", date(2024, 4, 15), date(2024, 7, 23)),
]
ARGS = dict(
    trust_id=TRUST,
    academic_year=YEAR,
    school_hubs={S: "H", P: "H", INF: "H"},
    terms=TERMS,
    as_of=date(2024, 8, 31),
    kpis=["statutory", "ks4"],
)

# Profiles: grades by subject code (KS4_<code>), the KS2 prior attainment, and the worked
# Attainment 8 with its elements (english, maths, ebacc, open) and EBacc points.
PROFILES = {
    # Both Englishes: the higher (7) double weighted, language 6 free for the open slots.
    # EBacc: biology 7, physics 6, chemistry 5 (history 4 and French 3 left for open).
    # Open: art 8, English language 6, history 4 (French 3 and PE 2 not counted).
    # EBacc points: English 7 + maths 5 + best two sciences 7 + 6 + history 4 + French 3 = 32.
    "p1": {
        "grades": {
            "ENG_LANG": 6,
            "ENG_LIT": 7,
            "MATHS": 5,
            "PHYSICS": 6,
            "CHEMISTRY": 5,
            "BIOLOGY": 7,
            "HISTORY": 4,
            "FRENCH": 3,
            "ART": 8,
            "PE": 2,
        },
        "prior": 105.0,
        "elements": (14.0, 10.0, 18.0, 18.0),
        "ebacc_points": 32.0,
    },
    # One English only: 4 counted once. Combined science 4.5 fills two EBacc slots, geography
    # U is the third (0 points). Open: the approved qualification 8.5 and business 5.
    # EBacc points: no English (both not taken) + maths 4 + combined 4.5 x 2 + geography 0 = 13.
    "p2": {
        "grades": {
            "ENG_LANG": 4,
            "MATHS": 4,
            "COMB_SCI": 4.5,
            "GEOGRAPHY": "U",
            "BUSINESS": 5,
            "OTHER_1": 8.5,
        },
        "prior": 95.0,
        "elements": (4.0, 8.0, 9.0, 13.5),
        "ebacc_points": 13.0,
    },
    # English literature 5 and maths 3: no prior attainment (left out of Progress 8).
    "p3": {
        "grades": {"ENG_LIT": 5, "MATHS": 3},
        "prior": None,
        "elements": (5.0, 6.0, 0.0, 0.0),
        "ebacc_points": 3.0,
    },
    # No subject grades, only an Attainment 8 total: in Attainment 8 and Progress 8 only.
    "p4": {"grades": {}, "att8": 40.0, "prior": 100.0},
    # English language X (no result, not an entry): literature 5 counts once.
    "p5": {
        "grades": {"ENG_LANG": "X", "ENG_LIT": 5, "MATHS": 6},
        "prior": 110.0,  # no estimate for 110: left out of Progress 8
        "elements": (5.0, 12.0, 0.0, 0.0),
        "ebacc_points": 6.0,
    },
}
A8 = {k: sum(v["elements"]) if "elements" in v else v["att8"] for k, v in PROFILES.items()}
# Disadvantaged: p1 x3, p2 x3, p3 x2, p4 x2, p5 x2 (12 pupils, 10 with subject results).
# Not disadvantaged: p1 x10.
DISADVANTAGED = {"p1": 3, "p2": 3, "p3": 2, "p4": 2, "p5": 2}
OTHERS = {"p1": 10}
# Estimates [low, high) -> A8, written for the test (not DfE figures); no minimum scores.
ESTIMATES = [(104.0, 106.0, 50.0, None), (94.0, 96.0, 36.0, None), (99.0, 101.0, 45.0, None)]
# The same with DfE-style minimum pupil Progress 8 scores (the cap on extreme negative scores),
# and an estimate for p5's 110 so that p5 (Attainment 8 17) scores (17 - 51.5) / 10 = -3.45.
CAPPED = [
    (104.0, 106.0, 50.0, -2.0),
    (94.0, 96.0, 36.0, -2.0),
    (99.0, 101.0, 45.0, None),
    (110.0, 110.5, 51.5, -2.5),
]

# KS2 (school P, Year 6): reading (score or code), maths, writing TA, GPS.
KS2 = [
    (100, 98, "EXS", 100),
    (110, 100, "GDS", 100),
    (95, 104, "EXS", 100),
    ("B", 110, "WTS", 100),
    (120, 90, "GDS", 99),
    (105, 100, "EXS", 99),
    (99, 115, "EXS", 99),
    (101, 102, "WTS", 99),
    ("A", 99, "PKF", 99),
    (100, 112, "EXS", 99),
]
# MTC (Year 4): r01-r05 disadvantaged, r06-r11 not; r11 absent.
MTC = [25, 25, 25, 24, 20, 18, 25, 10, 22, 25, "A"]

# KS1 (school INF, Year 2): reading, writing, maths and science TA by profile (None: no result).
KS1_PROFILES = {
    "a": ("GDS", "GDS", "GDS", "EXS"),
    "b": ("EXS", "EXS", "EXS", "EXS"),
    "c": ("EXS", "WTS", "GDS", "EXS"),
    "d": ("WTS", "PK4", "EXS", "HNM"),
    "e": ("A", "A", "A", "A"),  # absent: in the denominators, not meeting
    "f": ("D", "D", "D", "D"),  # disapplied: likewise
    "g": ("EXS", None, "EXS", None),  # no writing or science result
    "h": ("PKF", "EM", "PK2", "HNM"),
}
# 10 disadvantaged and 10 not, so that both groups and the gap are shown.
KS1_DISADVANTAGED = {"a": 1, "b": 2, "c": 2, "d": 2, "e": 1, "f": 1, "h": 1}
KS1_OTHERS = {"a": 3, "b": 3, "c": 1, "d": 1, "g": 2}


def _pupils():
    chars, results = [], []

    def add(urn, key, year_group, disadvantaged, measure, value):
        num = float(value) if isinstance(value, int | float) else None
        text = None if num is not None else value
        results.append(
            dict(school_urn=urn, pupil_key=key, measure=measure, value_num=num, value_text=text)
        )

    def pupil(urn, key, year_group, disadvantaged):
        chars.append(
            dict(
                school_urn=urn,
                pupil_key=key,
                year_group=year_group,
                sex="F",
                disadvantaged=disadvantaged,
                fsm=disadvantaged,
                sen="N",
                eal=False,
                prior_band=None,
                joined_on=date(2019, 9, 1),
                left_on=None,
            )
        )

    for disadvantaged, copies in ((True, DISADVANTAGED), (False, OTHERS)):
        for name, n in copies.items():
            prof = PROFILES[name]
            for i in range(n):
                key = f"{name}{'d' if disadvantaged else 'o'}{i}"
                pupil(S, key, 11, disadvantaged)
                for code, grade in prof["grades"].items():
                    add(S, key, 11, disadvantaged, f"KS4_{code}", grade)
                if "att8" in prof:
                    add(S, key, 11, disadvantaged, "KS4_ATT8", prof["att8"])
                if prof["prior"] is not None:
                    add(S, key, 11, disadvantaged, "KS4_KS2_PRIOR", prof["prior"])
    for i, (r, m, w, g) in enumerate(KS2):
        key = f"q{i:02d}"
        pupil(P, key, 6, i < 5)
        for measure, value in (("KS2_READ", r), ("KS2_MAT", m), ("KS2_WRIT_TA", w)):
            add(P, key, 6, i < 5, measure, value)
        add(P, key, 6, i < 5, "KS2_GPS", g)
    for i, score in enumerate(MTC):
        key = f"r{i + 1:02d}"
        pupil(P, key, 4, i < 5)
        add(P, key, 4, i < 5, "MTC", score)
    for disadvantaged, copies in ((True, KS1_DISADVANTAGED), (False, KS1_OTHERS)):
        for name, n in copies.items():
            for i in range(n):
                key = f"k{name}{'d' if disadvantaged else 'o'}{i}"
                pupil(INF, key, 2, disadvantaged)
                for subject, value in zip(
                    ("READ", "WRIT", "MAT", "SCI"), KS1_PROFILES[name], strict=True
                ):
                    if value is not None:
                        add(INF, key, 2, disadvantaged, f"KS1_{subject}_TA", value)
    return chars, results


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    root = tmp_path_factory.mktemp("ks_store")
    chars, results = _pupils()
    f.write_dataset(root, "characteristics", chars, trust=TRUST, year=YEAR)
    f.write_dataset(root, "statutory", results, trust=TRUST, year=YEAR)
    AnalyticsStore(root).ensure_derived(TRUST, YEAR)
    return root


@pytest.fixture(scope="module")
def result(store):
    return compute_kpis(store_root=store, a8_estimates=ESTIMATES, **ARGS)


def _value(result, kpi, group="all", scope=S):
    r = row(result, kpi, "school", scope, "year", group)
    assert r is not None, (kpi, group)
    assert not r["suppressed"], (kpi, group, r)
    return r["value"]


def _mean(values):
    return sum(values) / len(values)


def test_attainment8_buckets_and_double_weighting():
    # Worked by hand in PROFILES; the helper sums agree with the totals used below.
    assert A8 == {"p1": 60.0, "p2": 34.5, "p3": 11.0, "p4": 40.0, "p5": 17.0}


def test_attainment8_elements_and_total(result):
    # Not disadvantaged: all p1 -> exactly p1's elements.
    for kpi, expected in zip(
        ("ks4_a8_english", "ks4_a8_maths", "ks4_a8_ebacc", "ks4_a8_open"),
        PROFILES["p1"]["elements"],
        strict=True,
    ):
        assert _value(result, kpi, "not_disadvantaged") == pytest.approx(expected)
    assert _value(result, "ks4_attainment8", "not_disadvantaged") == pytest.approx(60.0)
    # Disadvantaged: 12 pupils (p4's total counts in Attainment 8).
    dis = [A8[p] for p, n in DISADVANTAGED.items() for _ in range(n)]
    assert len(dis) == 12 and sum(dis) == pytest.approx(419.5)
    assert _value(result, "ks4_attainment8", "disadvantaged") == pytest.approx(419.5 / 12)
    # English element over the 10 disadvantaged pupils with subject grades: 3x14 + 3x4 + 2x5 + 2x5.
    assert _value(result, "ks4_a8_english", "disadvantaged") == pytest.approx(74 / 10)
    # All pupils: 22 in Attainment 8.
    a8 = row(result, "ks4_attainment8", "school", S, "year")
    assert (a8["pupils"], a8["value"]) == (22, pytest.approx((419.5 + 600) / 22))
    # The gap, in points.
    assert _value(result, "ks4_attainment8", "disadvantaged_gap") == pytest.approx(
        419.5 / 12 - 60.0
    )


def test_english_and_maths_grade_4_and_5(result):
    # p1 (English 7, maths 5) both; p2 (language 4, maths 4) grade 4 only; p3 (maths 3) none;
    # p5 (literature 5 only, maths 6) both: either English counts. p4 has no grades.
    assert _value(result, "ks4_em_grade4", "disadvantaged") == pytest.approx(80.0)  # 8 of 10
    assert _value(result, "ks4_em_grade5", "disadvantaged") == pytest.approx(50.0)  # 5 of 10
    assert _value(result, "ks4_em_grade4") == pytest.approx(90.0)  # 18 of 20
    assert _value(result, "ks4_em_grade4", "disadvantaged_gap") == pytest.approx(-20.0)
    r = row(result, "ks4_em_grade5", "school", S, "year")
    assert (r["numerator"], r["denominator"]) == (15, 20)


def test_ebacc_entry_and_average_point_score(result):
    # Only p1 enters every pillar (p2: one English; p3, p5: no science, humanities, language).
    assert _value(result, "ks4_ebacc_entry", "disadvantaged") == pytest.approx(30.0)
    assert _value(result, "ks4_ebacc_entry", "not_disadvantaged") == pytest.approx(100.0)
    points = [
        PROFILES[p]["ebacc_points"] for p, n in DISADVANTAGED.items() if p != "p4" for _ in range(n)
    ]
    assert sum(points) == 153.0
    assert _value(result, "ks4_ebacc_aps", "disadvantaged") == pytest.approx(153 / 6 / 10)
    assert _value(result, "ks4_ebacc_aps", "not_disadvantaged") == pytest.approx(32 / 6)
    assert _value(result, "ks4_ebacc_aps", "disadvantaged_gap") == pytest.approx(2.55 - 32 / 6)


def test_progress8_uses_estimates_and_leaves_out_pupils_without_ks2(result):
    # p1: (60 - 50) / 10 = 1.0; p2: (34.5 - 36) / 10 = -0.15; p4: (40 - 45) / 10 = -0.5;
    # p3 has no KS2 result and p5 no estimate for 110: both left out.
    r = row(result, "ks4_progress8", "school", S, "year", "disadvantaged")
    assert r["pupils"] == 8
    assert r["value"] == pytest.approx((3 * 1.0 + 3 * -0.15 + 2 * -0.5) / 8)
    assert _value(result, "ks4_progress8", "not_disadvantaged") == pytest.approx(1.0)
    assert _value(result, "ks4_progress8", "disadvantaged_gap") == pytest.approx(1.55 / 8 - 1.0)


def test_no_progress8_without_estimates_for_the_year(store):
    out = compute_kpis(store_root=store, **ARGS)
    codes = set(out["kpi_code"].to_pylist())
    assert "ks4_attainment8" in codes and "ks4_progress8" not in codes


def test_progress8_caps_scores_below_dfes_minimum(store):
    # Disadvantaged: p1 x3 (60 - 50) / 10 = +1.0, above its minimum -2.0: kept;
    # p2 x3 (34.5 - 36) / 10 = -0.15, above -2.0: kept; p4 x2 -0.5 (no minimum given: kept);
    # p5 x2 (17 - 51.5) / 10 = -3.45, below its minimum -2.5: counts as -2.5.
    # (3 - 0.45 - 1 - 5) / 10 = -0.345; without the cap (3 - 0.45 - 1 - 6.9) / 10 = -0.535.
    capped = compute_kpis(store_root=store, a8_estimates=CAPPED, **ARGS)
    r = row(capped, "ks4_progress8", "school", S, "year", "disadvantaged")
    assert r["pupils"] == 10
    assert r["value"] == pytest.approx(-0.345)
    uncapped = [(lo, hi, e, None) for lo, hi, e, _limit in CAPPED]
    plain = compute_kpis(store_root=store, a8_estimates=uncapped, **ARGS)
    r = row(plain, "ks4_progress8", "school", S, "year", "disadvantaged")
    assert r["value"] == pytest.approx(-0.535)
    # Attainment 8 itself is never capped.
    assert _value(capped, "ks4_attainment8", "disadvantaged") == pytest.approx(419.5 / 12)


def test_ks2_scaled_score_averages_and_each_subject(result):
    reading = [r for r, _m, _w, _g in KS2 if not isinstance(r, str)]
    assert _value(result, "ks2_average_reading", scope=P) == pytest.approx(_mean(reading))
    assert _mean(reading) == 103.75  # 8 pupils with a score; B and A left out
    assert _value(result, "ks2_average_maths", scope=P) == pytest.approx(103.0)
    # Expected standard: codes count in the denominator as not meeting it.
    assert _value(result, "ks2_reading_expected", scope=P) == pytest.approx(60.0)  # 6 of 10
    assert _value(result, "ks2_maths_expected", scope=P) == pytest.approx(70.0)
    assert _value(result, "ks2_writing_expected", scope=P) == pytest.approx(70.0)
    assert _value(result, "ks2_gps_expected", scope=P) == pytest.approx(40.0)
    # Maths average by group: q00-q04 disadvantaged (98, 100, 104, 110, 90) vs the rest.
    dis = _value(result, "ks2_average_maths", "disadvantaged", scope=P)
    assert dis == pytest.approx(100.4)
    assert _value(result, "ks2_average_maths", "disadvantaged_gap", scope=P) == pytest.approx(
        100.4 - 105.6
    )


def test_ks2_higher_standard_by_subject(result):
    # Reading 110+: q01 (110) and q04 (120) of 10 with a result (B and A count, not meeting it).
    assert _value(result, "ks2_reading_higher", scope=P) == pytest.approx(20.0)
    # Maths 110+: q03 (110), q06 (115), q09 (112); 90-104 are not.
    assert _value(result, "ks2_maths_higher", scope=P) == pytest.approx(30.0)
    # Writing at greater depth: q01 and q04 (GDS); EXS, WTS and PKF are not.
    assert _value(result, "ks2_writing_higher", scope=P) == pytest.approx(20.0)
    assert _value(result, "ks2_gps_higher", scope=P) == pytest.approx(0.0)  # 99-100 only


def test_multiplication_tables_check(result):
    # 10 pupils took it (r11 absent): mean 219 / 10; 5 scored 25.
    assert _value(result, "mtc_average", scope=P) == pytest.approx(21.9)
    full = row(result, "mtc_full_marks", "school", P, "year")
    assert (full["numerator"], full["denominator"], full["value"]) == (5, 10, 50.0)
    assert _value(result, "mtc_average", "disadvantaged_gap", scope=P) == pytest.approx(23.8 - 20.0)
    # 5 disadvantaged pupils: below 10 for a share, so that group is suppressed.
    assert row(result, "mtc_full_marks", "school", P, "year", "disadvantaged")["suppressed"]


def test_ks1_expected_standard_by_subject_group_and_gap(result):
    # Reading: every pupil has a result. EXS or GDS: disadvantaged a1 b2 c2 = 5 of 10 (d WTS,
    # e absent, f disapplied and h PKF count as not meeting it); others a3 b3 c1 g2 = 9 of 10.
    assert _value(result, "ks1_reading_expected", "disadvantaged", INF) == pytest.approx(50.0)
    assert _value(result, "ks1_reading_expected", "not_disadvantaged", INF) == pytest.approx(90.0)
    assert _value(result, "ks1_reading_expected", scope=INF) == pytest.approx(70.0)  # 14 of 20
    assert _value(result, "ks1_reading_expected", "disadvantaged_gap", INF) == pytest.approx(-40.0)
    # Maths: disadvantaged a1 b2 c2 d2 = 7 of 10, others all 10: 17 of 20.
    assert _value(result, "ks1_maths_expected", scope=INF) == pytest.approx(85.0)
    assert _value(result, "ks1_maths_expected", "disadvantaged_gap", INF) == pytest.approx(-30.0)
    # Writing: the two g pupils have no writing result, so 18 pupils; EXS+ a4 b5 = 9.
    writing = row(result, "ks1_writing_expected", "school", INF, "year")
    assert (writing["numerator"], writing["denominator"]) == (9, 18)
    # 8 other pupils with a writing result: below 10, so that side and the gap are hidden.
    assert row(result, "ks1_writing_expected", "school", INF, "year", "not_disadvantaged")[
        "suppressed"
    ]
    assert row(result, "ks1_writing_expected", "school", INF, "year", "disadvantaged_gap")[
        "suppressed"
    ]
    # Science: EXS only (HNM, A, D are not); g has no science result: a4 b5 c3 = 12 of 18.
    science = row(result, "ks1_science_expected", "school", INF, "year")
    assert (science["numerator"], science["denominator"]) == (12, 18)


def test_ks1_greater_depth_and_combined(result):
    # Greater depth (GDS): reading a only, 4 of 20; maths a and c, 7 of 20; writing 4 of 18.
    assert _value(result, "ks1_reading_greater_depth", scope=INF) == pytest.approx(20.0)
    assert _value(result, "ks1_maths_greater_depth", scope=INF) == pytest.approx(35.0)
    assert _value(result, "ks1_writing_greater_depth", scope=INF) == pytest.approx(400 / 18)
    # Reading, writing and maths all EXS or GDS: a and b only (c writes WTS; g has no writing
    # result, which counts as not meeting it): disadvantaged 3 of 10, others 6 of 10.
    rwm = row(result, "ks1_rwm_expected", "school", INF, "year")
    assert (rwm["numerator"], rwm["denominator"], rwm["value"]) == (9, 20, 45.0)
    assert _value(result, "ks1_rwm_expected", "disadvantaged_gap", INF) == pytest.approx(-30.0)


def test_ks1_kpis_are_absent_not_zero_without_ks1_results(result):
    # School P has KS2 results and S KS4, neither any KS1: no KS1 row at all, not 0%.
    for code in ("ks1_reading_expected", "ks1_rwm_expected", "ks1_science_expected"):
        for scope in (S, P):
            assert row(result, code, "school", scope, "year") is None, (code, scope)
    # The hub's figure is school INF's alone (the others add no pupils).
    hub = row(result, "ks1_rwm_expected", "hub", "H", "year")
    assert (hub["numerator"], hub["denominator"]) == (9, 20)


def test_ks1_compares_with_the_last_national_figure_labelled_unverified():
    from trustwide.kpis.national import load_benchmarks, lookup

    # KS1 is optional from 2023/24: a 2024/25 value is compared with 2022/23, the last national
    # year, from a secondary source, so the label says so.
    match = lookup(measure="ks1_reading_expected", academic_year=2024, rows=load_benchmarks())
    assert match.value == 68.0
    assert "2022/23" in match.explanation and "UNVERIFIED" in match.explanation


@pytest.mark.skipif(
    importlib.util.find_spec("pyspark") is None,
    reason="pyspark is not installed (pip install -e '.[spark]')",
)
def test_duckdb_and_pyspark_agree_on_key_stage_kpis(store):
    import ibis

    from trustwide.kpis.engine import spark_session

    os.environ.setdefault("PYSPARK_PYTHON", "python")
    con = ibis.pyspark.connect(spark_session())
    # With the cap's minimum scores, so that both backends apply it.
    duck = compute_kpis(store_root=store, a8_estimates=CAPPED, **ARGS)
    spark = compute_kpis(
        store_root=store, backend="pyspark", connection=con, a8_estimates=CAPPED, **ARGS
    )
    assert spark.num_rows == duck.num_rows > 100
    for a, b in zip(spark.to_pylist(), duck.to_pylist(), strict=True):
        assert a == b


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([(105, 107, 52, None), (104, 106, 50, None)], "overlap at 105"),
        ([(90.05, 91, 30, None)], "not in tenths"),
    ],
)
def test_estimates_are_checked(rows, message):
    with pytest.raises(ValueError, match=message):
        ks4.estimates_table(rows)


def test_estimates_are_keyed_by_tenth_of_a_point():
    table = ks4.estimates_table([(104.5, 105, 50.25, -2.5)]).to_pylist()
    assert table == [
        {"prior_key": k, "a8_estimate": 50.25, "p8_limit": -2.5} for k in range(1045, 1050)
    ]
