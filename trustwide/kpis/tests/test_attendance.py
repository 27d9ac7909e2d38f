"""Attendance KPIs on the hand-built store (fixtures.py); every expected figure is worked
out here from the code lists, not copied from output."""

from __future__ import annotations

from datetime import date

import pytest

from trustwide.data.store import AnalyticsStore
from trustwide.kpis.engine import compute_kpis
from trustwide.kpis.tests import fixtures as f
from trustwide.kpis.tests.conftest import row

A, B, C = f.A, f.B, f.C

# School A, autumn, per pupil: (possible, authorised, unauthorised), by hand from A_AUTUMN:
AUTUMN_A = {
    "a01": (20, 0, 0),  # all present
    "a02": (20, 2, 0),  # I I: exactly 10%
    "a03": (21, 0, 2),  # O O of 21: 9.52%, just below 10%
    "a04": (20, 10, 0),  # exactly 50%
    "a05": (19, 4, 5),  # M x4 + G x5 of 19: 47.4%, just below 50%
    "a06": (20, 0, 0),  # K V P W B are approved activities: attending, possible
    "a07": (20, 0, 1),  # L x3 present (late before close), U unauthorised
    "a08": (20, 0, 0),  # X Y1 Q Z # - D D are not possible sessions
    "a09": (20, 8, 0),  # C1 C2 C J1 S T R E authorised
    "a10": (20, 0, 2),  # N N unauthorised: exactly 10%
    "a11": (10, 1, 0),  # joined 3 Nov: only 10 sessions on roll
    "a12": (6, 0, 6),  # left after three days: 6 of 6 absent
}
DISADVANTAGED = {"a01", "a02", "a03", "a04", "a05", "a06"}


def _sums(pupils):
    poss = sum(AUTUMN_A[p][0] for p in pupils)
    auth = sum(AUTUMN_A[p][1] for p in pupils)
    unauth = sum(AUTUMN_A[p][2] for p in pupils)
    return poss, auth, unauth


def _pa(pupils, share):
    return sum(1 for p in pupils if (AUTUMN_A[p][1] + AUTUMN_A[p][2]) >= share * AUTUMN_A[p][0])


def test_code_classes_and_rates_school_a_autumn(result):
    poss, auth, unauth = _sums(AUTUMN_A)
    assert (poss, auth, unauth) == (216, 25, 16)
    r = row(result, "overall_absence", "school", A, "autumn")
    assert (r["numerator"], r["denominator"], r["pupils"]) == (41, 216, 12)
    assert r["value"] == pytest.approx(41 / 216 * 100)
    assert row(result, "authorised_absence", "school", A, "autumn")["value"] == pytest.approx(
        25 / 216 * 100
    )
    assert row(result, "unauthorised_absence", "school", A, "autumn")["value"] == pytest.approx(
        16 / 216 * 100
    )


def test_persistent_and_severe_thresholds_school_a(result):
    pa = _pa(AUTUMN_A, 0.10)
    sa = _pa(AUTUMN_A, 0.50)
    assert pa == 7  # a02 (10%), a04, a05, a09, a10 (10%), a11 (10%), a12; not a03 (9.5%)
    assert sa == 2  # a04 (exactly 50%), a12; not a05 (47.4%)
    r = row(result, "persistent_absence", "school", A, "autumn")
    assert (r["numerator"], r["denominator"], r["value"]) == (7, 12, pytest.approx(700 / 12))
    r = row(result, "severe_absence", "school", A, "autumn")
    assert r["value"] == pytest.approx(200 / 12)


def test_boundaries_exactly(tmp_path):
    """10 pupils: 5 at exactly 10% and 5 just below; 10 at exactly 50% or just below."""
    urn = 300001
    rows = []
    for i in range(10):
        exact = i < 5
        codes = (["/"] * 18 + ["I", "I"]) if exact else (["/"] * 19 + ["I", "I"])
        for day, sess, code in f.sessions(date(2025, 9, 8), codes):
            rows.append(dict(school_urn=urn, pupil_key=f"p{i}", date=day, session=sess, code=code))
        codes = (["/"] * 10 + ["O"] * 10) if exact else (["/"] * 11 + ["O"] * 10)
        for day, sess, code in f.sessions(date(2026, 1, 5), codes):
            rows.append(dict(school_urn=urn, pupil_key=f"p{i}", date=day, session=sess, code=code))
    f.write_dataset(tmp_path, "attendance_marks", rows)
    AnalyticsStore(tmp_path).ensure_derived(f.TRUST, f.YEAR)  # as an import does
    out = compute_kpis(
        store_root=tmp_path,
        trust_id=f.TRUST,
        academic_year=f.YEAR,
        school_hubs={urn: None},
        terms=f.TERMS,
        as_of=date(2026, 8, 31),
        kpis=["attendance"],
    )
    assert row(out, "persistent_absence", "school", urn, "autumn")["value"] == 50.0
    assert row(out, "severe_absence", "school", urn, "autumn")["value"] == 0.0
    assert row(out, "severe_absence", "school", urn, "spring")["value"] == 50.0


def test_periods_term_ytd_year_and_outside_term_mark(result):
    # a01: spring week 1 has 2 I of 10, week 2 has 2 I of 10; 22 Dec (outside every term)
    # has one I; as_of is the Friday of spring week 1.
    spring = row(result, "overall_absence", "school", A, "spring")
    assert spring["pupils"] == 1 and spring["suppressed"] and spring["value"] is None
    ytd = row(result, "overall_absence", "school", A, "ytd")
    assert (ytd["numerator"], ytd["denominator"]) == (41 + 1 + 2, 216 + 1 + 10)
    year = row(result, "overall_absence", "school", A, "year")
    assert (year["numerator"], year["denominator"]) == (41 + 1 + 4, 216 + 1 + 20)
    # a01 over the year: 5 of 41 absent = 12.2% (PA), though 0% in autumn
    assert row(result, "persistent_absence", "school", A, "year")["numerator"] == 7 + 1


def test_summaries_only_school(result):
    # School C: autumn summaries possible 100+50+100+100+100, absent (6+4)+10+0+0+5
    r = row(result, "overall_absence", "school", C, "autumn")
    assert (r["numerator"], r["denominator"], r["pupils"]) == (25, 450, 5)
    # c01's spring row (5 Jan - 27 Mar) overlaps ytd (as_of 9 Jan) and year
    assert row(result, "overall_absence", "school", C, "ytd")["denominator"] == 550
    assert row(result, "overall_absence", "school", C, "year")["denominator"] == 550
    # School A also has a (bogus) summary row: ignored because A sends marks.
    assert row(result, "overall_absence", "school", A, "year")["denominator"] == 237


def test_hub_and_trust_are_sums_of_pupil_data(result):
    # B: 10 pupils x 20 sessions, b01-b03 two I each
    b = row(result, "overall_absence", "school", B, "autumn")
    assert (b["numerator"], b["denominator"]) == (6, 200)
    hub = row(result, "overall_absence", "hub", "H1", "autumn")
    assert (hub["numerator"], hub["denominator"], hub["pupils"]) == (41 + 6, 216 + 200, 22)
    trust = row(result, "overall_absence", "trust", f.TRUST, "autumn")
    assert (trust["numerator"], trust["denominator"]) == (41 + 6 + 25, 216 + 200 + 450)
    # PA: A 7, B 3, C: c01 10/100 (exactly 10%) and c02 10/50 -> 12 of 27
    pa = row(result, "persistent_absence", "trust", f.TRUST, "autumn")
    assert (pa["numerator"], pa["pupils"]) == (12, 27)
    assert row(result, "overall_absence", "hub", "None", "autumn") is None  # C has no hub


def test_groups_suppression_and_gaps(result):
    dis = [p for p in AUTUMN_A if p in DISADVANTAGED]
    non = [p for p in AUTUMN_A if p not in DISADVANTAGED]
    pd_, ad, ud = _sums(dis)
    pn, an, un = _sums(non)
    d = row(result, "overall_absence", "school", A, "autumn", "disadvantaged")
    n = row(result, "overall_absence", "school", A, "autumn", "not_disadvantaged")
    assert d["value"] == pytest.approx((ad + ud) / pd_ * 100)  # 23/120
    assert n["value"] == pytest.approx((an + un) / pn * 100)  # 18/96
    gap = row(result, "overall_absence", "school", A, "autumn", "disadvantaged_gap")
    assert gap["value"] == pytest.approx((ad + ud) / pd_ * 100 - (an + un) / pn * 100)
    assert gap["pupils"] == 12 and not gap["suppressed"]
    # PA in groups of 6 (< 10): suppressed, value null (never 0 or 100), counts hidden
    s = row(result, "persistent_absence", "school", A, "autumn", "disadvantaged")
    assert s["suppressed"] and s["value"] is None and s["numerator"] is None
    assert s["pupils"] == 6
    assert row(result, "persistent_absence", "school", A, "autumn", "disadvantaged_gap")[
        "suppressed"
    ]
    # SEN: a01 EHC plan, a02-a04 SEN support = 4 pupils (< 5): suppressed, and so the gap
    assert row(result, "overall_absence", "school", A, "autumn", "sen")["suppressed"]
    sen_gap = row(result, "overall_absence", "school", A, "autumn", "sen_gap")
    assert sen_gap["suppressed"] and sen_gap["value"] is None
    # year groups: B year 6 = b01-b05 (6 of 100 absent), year 11 = b06-b10 (0%: shown as 0)
    assert row(result, "overall_absence", "school", B, "autumn", "year_6")["value"] == 6.0
    y11 = row(result, "overall_absence", "school", B, "autumn", "year_11")
    assert y11["value"] == 0.0 and not y11["suppressed"]
    # sex: A girls = odd pupils a01..a11
    girls = [p for i, p in enumerate(AUTUMN_A, start=1) if i % 2]
    pg, ag, ug = _sums(girls)
    assert row(result, "overall_absence", "school", A, "autumn", "girls")["value"] == (
        pytest.approx((ag + ug) / pg * 100)
    )


def test_other_trust_never_read(result):
    # trust 8's mark for URN A (an O) must not appear: A's autumn possible stays 216
    assert row(result, "overall_absence", "school", A, "autumn")["denominator"] == 216


def test_no_schools_gives_empty_table(kwargs):
    out = compute_kpis(**{**kwargs, "school_hubs": {}})
    assert out.num_rows == 0
