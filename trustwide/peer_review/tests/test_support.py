"""The support-category rule on known cases."""

import pytest

from trustwide.peer_review.support import (
    BOTH,
    GIVER,
    INTENSIVE,
    NEITHER,
    TAKER,
    TARGETED,
    UNIVERSAL,
    Rule,
    Signals,
    categorise,
    inspection_rank,
    inspection_signals,
)


def test_strong_school_is_universal_giver():
    out = categorise(
        Signals(
            kpi_red=0,
            kpi_green=5,
            kpi_rated=6,
            inspection_rank=2,
            sef_agreement_percent=90,
            sef_compared=5,
            plan_red=0,
            plan_rated=4,
        )
    )
    assert (out.category, out.capacity, out.points) == (UNIVERSAL, GIVER, 0)
    assert "Latest inspection good." in out.reasons


def test_requires_improvement_with_red_kpis_is_intensive_taker():
    out = categorise(
        Signals(
            kpi_red=4,
            kpi_green=0,
            kpi_rated=6,
            inspection_rank=3,
            sef_agreement_percent=40,
            sef_compared=5,
            plan_red=2,
            plan_rated=4,
        )
    )
    # 3 (red KPIs, capped) + 2 (RI) + 1 (SEF) + 2 (plan 50% red) = 8
    assert (out.category, out.capacity, out.points) == (INTENSIVE, TAKER, 8)
    assert any("4 of 6 headline KPIs red" in r for r in out.reasons)
    assert any("SEF accuracy 40%" in r for r in out.reasons)


def test_targeted_but_strong_is_both():
    out = categorise(
        Signals(
            kpi_red=0,
            kpi_green=4,
            kpi_rated=6,
            inspection_rank=1,
            sef_agreement_percent=50,
            sef_compared=4,
            plan_red=2,
            plan_rated=5,
        )
    )
    assert (out.category, out.capacity, out.points) == (TARGETED, BOTH, 3)


def test_no_data_is_universal_neither():
    out = categorise(Signals())
    assert (out.category, out.capacity, out.points) == (UNIVERSAL, NEITHER, 0)
    assert "No inspection grade recorded." in out.reasons


def test_trust_rule_changes_the_outcome():
    signals = Signals(kpi_red=1, kpi_rated=6, inspection_rank=2)
    assert categorise(signals).category == UNIVERSAL
    assert categorise(signals, Rule(targeted_from=1, intensive_from=3)).category == TARGETED
    assert Rule(targeted_from=3, intensive_from=2).problems()


def test_inspection_rank():
    assert (
        inspection_rank(
            {"quality-of-education": "Good", "leadership-and-management": "Requires improvement"}
        )
        == 3
    )
    assert inspection_rank({"overall": "Outstanding", "x": "Inadequate"}) == 1
    assert inspection_rank({}) is None


# Report cards (from 10 November 2025) and the 2019 framework, read through the one reader.
RC = {
    "inclusion": "Expected standard",
    "curriculum-and-teaching": "Expected standard",
    "achievement": "Expected standard",
    "attendance-and-behaviour": "Expected standard",
    "personal-development-and-well-being": "Expected standard",
    "leadership-and-governance": "Expected standard",
    "safeguarding": "Met",
}
QUIET = {
    "kpi_red": 0,
    "kpi_green": 3,
    "kpi_rated": 6,
    "sef_agreement_percent": 90,
    "sef_compared": 5,
}


def rc_outcome(**changes):
    found = inspection_signals("ofsted-report-card-2025", {**RC, **changes})
    return categorise(Signals(**QUIET, **found))


@pytest.mark.parametrize(
    ("grade", "category", "capacity", "points"),
    [
        ("Exceptional", UNIVERSAL, GIVER, 0),
        ("Strong standard", UNIVERSAL, GIVER, 0),
        ("Expected standard", UNIVERSAL, GIVER, 0),
        ("Needs attention", UNIVERSAL, NEITHER, 1),
        ("Urgent improvement", TARGETED, TAKER, 4),
    ],
)
def test_each_report_card_grade_in_one_area(grade, category, capacity, points):
    out = rc_outcome(achievement=grade)
    assert (out.category, out.capacity, out.points) == (category, capacity, points)
    if grade in ("Needs attention", "Urgent improvement"):
        assert any(f"{grade.lower()} in Achievement" in r for r in out.reasons)
    assert not any("No inspection grade recorded" in r for r in out.reasons)


def test_report_card_areas_count_one_by_one():
    # Urgent improvement twice (the example) is intensive, not "no grade recorded".
    out = rc_outcome(inclusion="Urgent improvement", achievement="Urgent improvement")
    assert out.category == INTENSIVE and out.points == 8
    # Needs attention in three areas: 3 points, targeted; a fourth is capped.
    three = rc_outcome(
        inclusion="Needs attention",
        achievement="Needs attention",
        **{"leadership-and-governance": "Needs attention"},
    )
    assert three.category == TARGETED and three.points == 3
    four = rc_outcome(
        inclusion="Needs attention",
        achievement="Needs attention",
        **{
            "leadership-and-governance": "Needs attention",
            "curriculum-and-teaching": "Needs attention",
        },
    )
    assert four.points == 3


def test_safeguarding_not_met_is_the_most_serious():
    out = rc_outcome(safeguarding="Not met")  # every area expected standard, strong KPIs
    assert out.category == INTENSIVE and out.capacity == TAKER
    assert any("safeguarding not met" in r for r in out.reasons)
    old = categorise(
        Signals(
            **QUIET,
            **inspection_signals(
                "ofsted-eif-2019", {"quality-of-education": "Good", "safeguarding": "Not effective"}
            ),
        )
    )
    assert old.category == INTENSIVE


@pytest.mark.parametrize(
    ("grade", "category", "points"),
    [
        ("Outstanding", UNIVERSAL, 0),
        ("Good", UNIVERSAL, 0),
        ("Requires improvement", TARGETED, 2),
        ("Inadequate", TARGETED, 4),
    ],
)
def test_2019_grades_through_the_same_reader(grade, category, points):
    found = inspection_signals(
        "ofsted-eif-2019", {"quality-of-education": "Good", "leadership-and-management": grade}
    )
    out = categorise(Signals(**QUIET, **found))
    assert (out.category, out.points) == (category, points)
    assert out.capacity == (GIVER if grade in ("Outstanding", "Good") else TAKER)
