"""RAG derivation, the overdue rule, and the roll-up numbers on a known plan."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from tests.world import make_school
from trustwide.planning import rag, selectors, services
from trustwide.planning.models import Action, Priority, RagRating, SchoolPlan, SuccessCriterion


@pytest.mark.parametrize(
    "children, expected",
    [
        ([], None),
        (["blue", "blue"], "blue"),
        (["green", "blue"], "green"),
        (["green", "green"], "green"),
        (["green", "amber", "blue"], "amber"),
        (["green", "amber", "red"], "red"),
        (["red"], "red"),
        ([None, "amber"], "amber"),
    ],
)
def test_derivation(children, expected):
    assert rag.derive(children) == expected


def test_derivation_rejects_values_off_the_scale():
    with pytest.raises(ValueError):
        rag.derive(["purple"])


def test_an_overdue_action_cannot_be_green_or_blue():
    day = datetime.date(2026, 12, 1)
    due = datetime.date(2026, 11, 1)
    assert "cannot be green" in rag.action_rating_problem(
        "green", due_on=due, complete=False, on=day
    )
    assert "cannot be blue" in rag.action_rating_problem("blue", due_on=due, complete=False, on=day)
    assert rag.action_rating_problem("amber", due_on=due, complete=False, on=day) is None
    assert rag.action_rating_problem("green", due_on=due, complete=True, on=day) is None
    assert rag.action_rating_problem("green", due_on=day, complete=False, on=day) is None
    assert "not on the RAG scale" in rag.action_rating_problem(
        "purple", due_on=None, complete=False, on=day
    )


def test_counts_change_and_movement():
    before = rag.counts(["red", "amber", "amber", "green"])
    now = rag.counts(["amber", "green", "green", "blue"])
    assert before == {"red": 1, "amber": 2, "green": 1, "blue": 0}
    assert rag.change(before, now) == {"red": -1, "amber": -1, "green": 1, "blue": 1}
    assert rag.movement(
        {1: "red", 2: "green", 3: "amber"}, {1: "amber", 2: "green", 3: "red", 4: "blue"}
    ) == {"improved": 1, "declined": 1, "same": 1}


def _known_plan(school, year):
    plan = SchoolPlan.objects.create(
        school=school, academic_year=year, kind="sip", status="in_progress"
    )
    p1 = Priority.objects.create(plan=plan, number=1, title="Reading")
    p2 = Priority.objects.create(plan=plan, number=2, title="Maths")
    a1 = Action.objects.create(priority=p1, what="A1", due_on=year.ends_on)
    a2 = Action.objects.create(priority=p1, what="A2", due_on=year.ends_on)
    a3 = Action.objects.create(priority=p2, what="A3", due_on=year.ends_on, status="complete")
    c1 = SuccessCriterion.objects.create(priority=p2, description="C1 to 70%")
    return plan, p1, p2, a1, a2, a3, c1


def test_termly_review_derives_priorities_and_rollup_counts(world):
    leader = world.user("headteacher")
    year = world.trust_a.academic_years.get(is_current=True)
    autumn, spring = list(year.terms.all())[:2]
    plan, p1, p2, a1, a2, a3, c1 = _known_plan(world.school_a1, year)
    today = spring.ends_on
    R = services.RatingInput
    services.termly_review_save(
        actor=leader,
        plan=plan,
        term=autumn,
        today=today,
        entries=[
            R(a1, "red"),
            R(a2, "amber"),
            R(a3, "green"),
            R(c1, "amber"),
            R(p1, None),
            R(p2, None),
        ],
    )
    assert RagRating.objects.get(priority=p1, term=autumn).rating == "red"
    assert RagRating.objects.get(priority=p2, term=autumn).rating == "amber"
    assert RagRating.objects.get(priority=p2, term=autumn).is_derived
    services.termly_review_save(
        actor=leader,
        plan=plan,
        term=spring,
        today=today,
        entries=[
            R(a1, "amber"),
            R(a2, "green"),
            R(a3, "blue"),
            R(c1, "green"),
            R(p1, "green", override_reason="Moderated data shows the gap closing."),
            R(p2, None),
        ],
    )
    p1_spring = RagRating.objects.get(priority=p1, term=spring)
    assert (p1_spring.rating, p1_spring.is_derived) == ("green", False)
    assert RagRating.objects.get(priority=p2, term=spring).rating == "green"  # green + blue

    # A second school in another hub with one red priority in spring.
    other = make_school(world.trust_a, world.hub_2, name="A3 Primary")
    plan_b, q1, *_rest = _known_plan(other, year)
    services.termly_review_save(
        actor=world.user("trust_leader"),
        plan=plan_b,
        term=spring,
        today=today,
        entries=[R(_rest[1], "red"), R(q1, None)],
    )

    rows, total, before = selectors.rollup(
        user=world.user("trust_leader"), trust=world.trust_a, term=spring
    )
    assert before == autumn
    by_label = {row.label: row for _, row in rows}
    a1_row = by_label["A1 Primary"]
    assert a1_row.priorities == {"red": 0, "amber": 0, "green": 2, "blue": 0}
    assert a1_row.previous_priorities == {"red": 1, "amber": 1, "green": 0, "blue": 0}
    assert a1_row.priority_change == {"red": -1, "amber": -1, "green": 2, "blue": 0}
    assert a1_row.items == {"red": 0, "amber": 1, "green": 2, "blue": 1}
    assert a1_row.item_change == {"red": -1, "amber": -1, "green": 1, "blue": 1}
    assert by_label["H1 hub"].priorities == a1_row.priorities
    assert by_label["H2 hub"].priorities == {"red": 1, "amber": 0, "green": 0, "blue": 0}
    assert total.priorities == {"red": 1, "amber": 0, "green": 2, "blue": 0}
    assert total.items == {"red": 1, "amber": 1, "green": 2, "blue": 1}
    # A headteacher's roll-up shows only their school.
    head_rows, head_total, _ = selectors.rollup(user=leader, trust=world.trust_a, term=spring)
    assert [row.label for level, row in head_rows if level == "school"] == ["A1 Primary"]
    assert head_total.priorities == a1_row.priorities


def test_review_rejects_bad_ratings_and_saves_nothing(world):
    leader = world.user("senior_leader")
    year = world.trust_a.academic_years.get(is_current=True)
    autumn = year.terms.first()
    plan, p1, p2, a1, a2, a3, c1 = _known_plan(world.school_a1, year)
    Action.objects.filter(pk=a1.pk).update(due_on=autumn.starts_on + datetime.timedelta(days=10))
    a1.refresh_from_db()
    R = services.RatingInput
    with pytest.raises(ValidationError) as exc:
        services.termly_review_save(
            actor=leader,
            plan=plan,
            term=autumn,
            today=autumn.ends_on,
            entries=[R(a1, "green"), R(a2, "purple"), R(c1, "amber"), R(p1, "red")],
        )
    errors = exc.value.message_dict
    assert "cannot be green" in errors[f"action_{a1.pk}"][0]
    assert "not on the RAG scale" in errors[f"action_{a2.pk}"][0]
    assert "reason" in errors[f"priority_{p1.pk}"][0]
    assert RagRating.objects.count() == 0
