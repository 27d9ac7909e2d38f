"""The support-category rule on known cases."""

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
)


def test_strong_school_is_universal_giver():
    out = categorise(Signals(kpi_red=0, kpi_green=5, kpi_rated=6, inspection_rank=2, sef_agreement_percent=90,
                             sef_compared=5, plan_red=0, plan_rated=4))
    assert (out.category, out.capacity, out.points) == (UNIVERSAL, GIVER, 0)
    assert "Latest inspection good." in out.reasons


def test_requires_improvement_with_red_kpis_is_intensive_taker():
    out = categorise(Signals(kpi_red=4, kpi_green=0, kpi_rated=6, inspection_rank=3, sef_agreement_percent=40,
                             sef_compared=5, plan_red=2, plan_rated=4))
    # 3 (red KPIs, capped) + 2 (RI) + 1 (SEF) + 2 (plan 50% red) = 8
    assert (out.category, out.capacity, out.points) == (INTENSIVE, TAKER, 8)
    assert any("4 of 6 headline KPIs red" in r for r in out.reasons)
    assert any("SEF accuracy 40%" in r for r in out.reasons)


def test_targeted_but_strong_is_both():
    out = categorise(Signals(kpi_red=0, kpi_green=4, kpi_rated=6, inspection_rank=1, sef_agreement_percent=50,
                             sef_compared=4, plan_red=2, plan_rated=5))
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
    assert inspection_rank({"quality-of-education": "Good", "leadership-and-management": "Requires improvement"}) == 3
    assert inspection_rank({"overall": "Outstanding", "x": "Inadequate"}) == 1
    assert inspection_rank({}) is None
