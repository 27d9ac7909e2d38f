"""The SMART check on good and bad success criteria, including wording."""

import datetime
from types import SimpleNamespace

import pytest

from trustwide.planning.smart import has_amount, is_smart, success_criterion_problems, vague_words


def criterion(**overrides):
    data = dict(
        description="Pupils at the expected standard in reading rise from 62% to 75%",
        measure="% at expected standard, KS2 reading",
        measure_kind="percentage",
        baseline="62",
        target="75",
        target_date=datetime.date(2027, 7, 1),
        owner_id=7,
    )
    data.update(overrides)
    return SimpleNamespace(**data)


def codes(c):
    return [p.code for p in success_criterion_problems(c)]


def test_a_complete_criterion_is_smart():
    assert success_criterion_problems(criterion()) == []
    assert is_smart(criterion())


@pytest.mark.parametrize(
    "field, value, code",
    [
        ("measure", "", "no_measure"),
        ("target", "", "no_target"),
        ("target_date", None, "no_date"),
        ("owner_id", None, "no_owner"),
        ("target", "most pupils", "target_not_number"),
    ],
)
def test_each_missing_part_is_named(field, value, code):
    assert codes(criterion(**{field: value})) == [code]


def test_everything_missing_lists_every_problem_with_messages():
    bad = criterion(
        description="Improve reading", measure="", target="", target_date=None, owner_id=None
    )
    problems = success_criterion_problems(bad)
    assert [p.code for p in problems] == [
        "no_measure",
        "no_target",
        "no_date",
        "no_owner",
        "vague_wording",
    ]
    assert all(p.message.endswith(".") for p in problems)
    assert "'improve'" in problems[-1].message


def test_descriptive_measures_may_have_words_as_target():
    assert (
        codes(criterion(measure_kind="descriptive", target="Most pupils say they enjoy reading"))
        == []
    )


def test_owner_object_counts_as_owner():
    c = criterion(owner_id=None)
    c.owner = SimpleNamespace(pk=3)
    assert codes(c) == []


@pytest.mark.parametrize(
    "text",
    [
        "Improve reading",
        "Better outcomes in maths",
        "More parents engage with homework",
        "Increase attendance",
        "Raise standards in writing by July 2027",  # a date is not an amount
        "Improve Year 6 reading",  # a year group is not an amount
        "Develop a love of reading across Key Stage 2",
        "Ensure teaching is consistently good",
        "Continue to enhance provision for SEND by 31/07/2027",
    ],
)
def test_vague_wording_without_a_number_is_flagged(text):
    assert "vague_wording" in codes(criterion(description=text)), text


@pytest.mark.parametrize(
    "text",
    [
        "Improve reading from 62% to 75%",
        "Increase attendance to 96 per cent",
        "Raise the number of pupils at greater depth by 10",
        "More than half of parents attend a workshop",
        "All pupils read daily at home",
        "Persistent absence falls below 10%",
        "Pupils at the expected standard in Year 6 maths: 75",
        "Reading age at or above chronological age for pupils in the phonics group",  # no vague word
    ],
)
def test_wording_with_a_number_or_no_vague_word_passes(text):
    assert "vague_wording" not in codes(criterion(description=text)), text


def test_vague_words_are_reported_once_each_and_only_whole_words():
    assert vague_words("Improve and improve again, more and better") == [
        "improve",
        "more",
        "better",
    ]
    assert vague_words("Moreover the strategy is clear") == []
    assert has_amount("from 3 to 5") and not has_amount("by summer 2027, year 6")
