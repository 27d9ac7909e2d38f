"""SEF accuracy, on cases worked out by hand."""

from __future__ import annotations

import pytest

from trustwide.evaluation.accuracy import (
    AccuracyInputError,
    JudgementPair,
    SefAccuracy,
    judgement_pair,
    sef_accuracy,
    trust_sef_accuracy,
)
from trustwide.evaluation.framework_files import FRAMEWORKS_DIR, load_framework_file

EIF = "ofsted-eif-2019"


def pairs(
    school: str, ranks: list[tuple[int, int]], framework: str = EIF, scale: str = "four-point"
):
    return [
        JudgementPair(framework, scale, self_rank, validated_rank, area=f"area-{i}", school=school)
        for i, (self_rank, validated_rank) in enumerate(ranks)
    ]


# School A, four areas (self, validated): Good/Good, Good/RI, Outstanding/Good, RI/RI.
# d = validated - self = 0, +1, +1, 0.
# agreed 2 of 4 = 50 %; over-generous 2; under-generous 0; mean signed (0+1+1+0)/4 = 0.5;
# mean absolute 0.5.
SCHOOL_A = pairs("A", [(2, 2), (2, 3), (1, 2), (3, 3)])

# School B, three areas: RI/Good, Good/Good, Inadequate/RI. d = -1, 0, -1.
# agreed 1 of 3 = 33.33 %; over 0; under 2; mean signed -2/3; mean absolute 2/3.
SCHOOL_B = pairs("B", [(3, 2), (2, 2), (4, 3)])

# Trust-wide, pooled (7 pairs): agreed 3 -> 3/7 = 42.857 %; over 2; under 2;
# mean signed (+2 - 2)/7 = 0; mean absolute 4/7.


def test_one_school_more_generous_than_validators():
    result = sef_accuracy(SCHOOL_A)
    assert result == SefAccuracy(
        framework=EIF,
        scale="four-point",
        compared=4,
        agreed=2,
        over_generous=2,
        under_generous=0,
        agreement_percent=50.0,
        mean_signed_difference=0.5,
        mean_absolute_difference=0.5,
    )


def test_one_school_harsher_than_validators():
    result = sef_accuracy(SCHOOL_B)
    assert (result.compared, result.agreed, result.over_generous, result.under_generous) == (
        3,
        1,
        0,
        2,
    )
    assert result.agreement_percent == pytest.approx(100 / 3)
    assert result.mean_signed_difference == pytest.approx(-2 / 3)
    assert result.mean_absolute_difference == pytest.approx(2 / 3)


def test_trust_wide_pools_every_pair_and_keeps_each_school():
    result = trust_sef_accuracy(SCHOOL_A + SCHOOL_B)
    overall = result.overall
    assert (overall.compared, overall.agreed, overall.over_generous, overall.under_generous) == (
        7,
        3,
        2,
        2,
    )
    assert overall.agreement_percent == pytest.approx(300 / 7)  # 42.857...
    assert overall.mean_signed_difference == pytest.approx(0)  # generous and harsh cancel out
    assert overall.mean_absolute_difference == pytest.approx(4 / 7)  # ... but it is still off
    assert list(result.by_school) == ["A", "B"]
    assert result.by_school["A"] == sef_accuracy(SCHOOL_A)
    assert result.by_school["B"] == sef_accuracy(SCHOOL_B)


def test_perfect_agreement():
    result = sef_accuracy(pairs("C", [(1, 1), (2, 2), (4, 4)]))
    assert result.agreement_percent == 100.0
    assert result.mean_signed_difference == 0.0
    assert result.over_generous == result.under_generous == 0


def test_two_grades_too_generous_counts_two_steps():
    # Self "Outstanding" (1), inspected "Requires improvement" (3): d = +2.
    result = sef_accuracy(pairs("D", [(1, 3)]))
    assert result.agreement_percent == 0.0
    assert result.mean_signed_difference == 2.0
    assert result.over_generous == 1


def test_no_pairs_is_no_evidence_not_zero_percent():
    result = sef_accuracy([])
    assert result == SefAccuracy(None, None, 0, 0, 0, 0, None, None, None)
    assert trust_sef_accuracy([]).by_school == {}


def test_accepts_any_iterable():
    assert sef_accuracy(iter(SCHOOL_A)) == sef_accuracy(SCHOOL_A)


def test_pairs_across_frameworks_are_rejected():
    mixed = SCHOOL_A + pairs(
        "B", [(3, 3)], framework="ofsted-report-card-2025", scale="report-card"
    )
    with pytest.raises(AccuracyInputError) as caught:
        sef_accuracy(mixed)
    message = str(caught.value)
    assert "more than one framework" in message
    assert "'ofsted-eif-2019' (4 pairs)" in message
    assert "'ofsted-report-card-2025' (1 pairs)" in message
    assert "cannot be compared" in message
    with pytest.raises(AccuracyInputError, match="more than one framework"):
        trust_sef_accuracy(mixed)


def test_pairs_across_scales_of_one_framework_are_rejected():
    mixed = SCHOOL_A + pairs("A", [(1, 2)], scale="safeguarding")
    with pytest.raises(AccuracyInputError) as caught:
        sef_accuracy(mixed)
    assert str(caught.value).startswith(
        "pairs on framework 'ofsted-eif-2019' use more than one scale: 'four-point' (4 pairs), "
        "'safeguarding' (1 pairs)"
    )


@pytest.mark.parametrize("bad_rank", [0, -1, 1.5, True, None, "2"])
def test_a_rank_that_is_not_a_rank_is_rejected(bad_rank):
    bad = JudgementPair(EIF, "four-point", bad_rank, 2, area="achievement", school="Hill Primary")  # type: ignore[arg-type]
    with pytest.raises(AccuracyInputError) as caught:
        sef_accuracy([*SCHOOL_A, bad])
    assert str(caught.value) == (
        f"pair 5 (school 'Hill Primary', area 'achievement'): self_rank {bad_rank!r} is not a rank "
        "(expected a whole number of at least 1, where 1 = best)"
    )


def test_judgement_pair_from_grade_codes():
    eif = load_framework_file(FRAMEWORKS_DIR / "ofsted-eif-2019.yaml")
    pair = judgement_pair(
        eif,
        area="quality-of-education",
        self_grade="good",
        validated_grade="requires-improvement",
        school="A",
    )
    assert pair == JudgementPair(EIF, "four-point", 2, 3, area="quality-of-education", school="A")
    assert pair.difference == 1  # the school was one grade more generous

    safeguarding = judgement_pair(
        eif, area="safeguarding", self_grade="effective", validated_grade="effective"
    )
    assert (safeguarding.scale, safeguarding.self_rank, safeguarding.validated_rank) == (
        "safeguarding",
        1,
        1,
    )


def test_judgement_pair_on_the_report_card():
    cards = load_framework_file(FRAMEWORKS_DIR / "ofsted-report-card-2025.yaml")
    pair = judgement_pair(
        cards, area="inclusion", self_grade="strong-standard", validated_grade="expected-standard"
    )
    result = sef_accuracy([pair])
    assert (result.over_generous, result.mean_signed_difference) == (1, 1.0)


def test_judgement_pair_rejects_unknown_grades_and_areas():
    eif = load_framework_file(FRAMEWORKS_DIR / "ofsted-eif-2019.yaml")
    with pytest.raises(AccuracyInputError) as caught:
        judgement_pair(eif, area="safeguarding", self_grade="good", validated_grade="effective")
    assert str(caught.value) == (
        "self_grade 'good' is not a grade of scale 'safeguarding' used by area 'safeguarding' "
        "of framework 'ofsted-eif-2019' (expected one of: effective, not-effective)"
    )
    with pytest.raises(AccuracyInputError, match="'inclusion' is not an area of framework"):
        judgement_pair(eif, area="inclusion", self_grade="good", validated_grade="good")
