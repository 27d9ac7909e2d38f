"""Teacher assessment, progress, statutory and transition KPIs on the hand-built store."""

from __future__ import annotations

import pytest

from trustwide.kpis.tests import fixtures as f
from trustwide.kpis.tests.conftest import row

A, B = f.A, f.B
BAND = {"PRE": 0, "WTS": 1, "EXS": 2, "GDS": 3}
ORDER = {"autumn": 1, "spring": 2, "summer": 3}


def _latest(judgements, terms):
    inside = [t for t in judgements if t in terms]
    return judgements[max(inside, key=ORDER.get)] if inside else None


def test_ta_expected_and_greater_depth_year(result):
    latest = {p: _latest(j, ORDER) for p, j in f.READING.items()}
    expected = sum(1 for v in latest.values() if BAND[v] >= 2)
    gds = sum(1 for v in latest.values() if v == "GDS")
    assert (expected, gds, len(latest)) == (10, 5, 12)
    r = row(result, "ta_expected_reading", "school", A, "year")
    assert (r["numerator"], r["denominator"]) == (expected, 12)
    assert row(result, "ta_greater_depth_reading", "school", A, "year")["value"] == (
        pytest.approx(gds / 12 * 100)
    )


def test_ta_latest_term_in_period(result):
    # spring: a06 and a11 have no spring-or-earlier... a06 only summer, a11 autumn only
    spring = {p: _latest(j, {"spring"}) for p, j in f.READING.items()}
    spring = {p: v for p, v in spring.items() if v}
    assert len(spring) == 10
    r = row(result, "ta_expected_reading", "school", A, "spring")
    assert r["numerator"] == sum(1 for v in spring.values() if BAND[v] >= 2)  # 6


def test_rwm_combined(result):
    # maths = reading except a02 summer WTS: a02 drops out of RWM expected
    r = row(result, "ta_expected_rwm", "school", A, "year")
    assert (r["numerator"], r["denominator"]) == (10 - 1, 12)


def test_progress_from_first_judgement(result):
    eligible, held, above = 0, 0, 0
    for j in f.READING.values():
        terms = sorted(j, key=ORDER.get)
        if len(terms) < 2:
            continue  # one judgement: no progress measurable
        eligible += 1
        start, end = BAND[j[terms[0]]], BAND[j[terms[-1]]]
        held += end >= start
        above += end > start
    assert (eligible, held, above) == (10, 9, 6)
    r = row(result, "progress_expected_reading", "school", A, "year")
    assert (r["numerator"], r["denominator"], r["value"]) == (held, eligible, 90.0)
    assert row(result, "progress_above_reading", "school", A, "year")["value"] == 60.0
    # maths: a02 falls EXS -> WTS, so one fewer at least expected
    assert row(result, "progress_expected_maths", "school", A, "year")["numerator"] == held - 1
    # autumn: every pupil has one judgement at most -> no row at all
    assert row(result, "progress_expected_reading", "school", A, "autumn") is None
    # spring: 9 eligible (< 10) -> suppressed
    s = row(result, "progress_expected_reading", "school", A, "spring")
    assert s["pupils"] == 9 and s["suppressed"] and s["value"] is None


def test_statutory(result):
    # phonics: 32 (boundary: meets), 31, 40, 35, 20, 32, 33, absent, 39, 10 -> 6 of 10
    met = sum(1 for v in f.PHONICS.values() if v is not None and v >= 32)
    assert met == 6
    assert row(result, "phonics_y1", "school", A, "year")["value"] == 60.0
    assert row(result, "eyfs_gld", "school", A, "year")["value"] == 70.0
    ks2 = [(r_, m, w) for r_, m, w in f.KS2.values()]
    exp = sum(
        1
        for r_, m, w in ks2
        if not isinstance(r_, str) and r_ >= 100 and m >= 100 and w in ("EXS", "GDS")
    )
    high = sum(
        1 for r_, m, w in ks2 if not isinstance(r_, str) and r_ >= 110 and m >= 110 and w == "GDS"
    )
    assert (exp, high) == (5, 2)
    assert row(result, "ks2_rwm_expected", "school", B, "year")["value"] == 50.0
    assert row(result, "ks2_rwm_higher", "school", B, "year")["value"] == 20.0
    a8 = row(result, "ks4_attainment8", "school", B, "year")
    assert a8["value"] == pytest.approx(sum(f.A8.values()) / 5)  # 225.5 / 5
    # statutory KPIs have only the 'year' period
    assert row(result, "ks2_rwm_expected", "school", B, "autumn") is None


def test_transition_sustained(result):
    # 7 sustained, 2 not, 1 unknown (counts as not sustained)
    r = row(result, "transition_sustained", "school", B, "year")
    assert (r["numerator"], r["denominator"]) == (7, 10)


def test_attainment_gap_suppressed_small_groups(result):
    # B: disadvantaged b01-b03 (3 < 10) -> KS2 group and gap suppressed
    g = row(result, "ks2_rwm_expected", "school", B, "year", "disadvantaged_gap")
    assert g["suppressed"] and g["value"] is None
