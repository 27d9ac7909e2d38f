"""The termly review and the copy into next year create their rows together
(audited_bulk_create); each writes the same audit rows as when every row went through
audited_create on its own, and the same rows."""

from __future__ import annotations

import json

import pytest
from django.db import transaction

from tests.world import make_year
from trustwide.audit.tests.equivalence import audit_rows, last_event_id, one_by_one
from trustwide.planning import services
from trustwide.planning.models import Action, Priority, SchoolPlan, SuccessCriterion
from trustwide.planning.services import plans as plan_services
from trustwide.planning.services import review as review_services


class _Undo(Exception):
    pass


def _plan(world):
    year = world.trust_a.academic_years.get(is_current=True)
    plan = SchoolPlan.objects.create(
        school=world.school_a1, academic_year=year, kind="sip", status="in_progress"
    )
    for n, title in enumerate(["Reading", "Maths"], start=1):
        priority = Priority.objects.create(plan=plan, number=n, title=title)
        for k in range(2):
            Action.objects.create(
                priority=priority, what=f"{title} action {k}", due_on=year.ends_on
            )
        SuccessCriterion.objects.create(priority=priority, description=f"{title} to 70%")
    return plan, year


def _both_ways(monkeypatch, module, run) -> tuple[list, list]:
    """Audit rows of run() through audited_create one by one (then undone), and in bulk."""
    start = last_event_id()
    with pytest.raises(_Undo), transaction.atomic(), monkeypatch.context() as patch:
        patch.setattr(module, "audited_bulk_create", one_by_one)
        run()
        single = audit_rows(start)
        raise _Undo
    assert last_event_id() == start
    run()
    return single, audit_rows(start)


def test_termly_review_writes_the_audit_rows_of_one_by_one_creates(world, monkeypatch):
    plan, year = _plan(world)
    autumn = year.terms.first()
    entries = [
        services.RatingInput(subject=item, rating=rating, commentary=f"{rating} for now")
        for priority in plan.priorities.all()
        for item, rating in zip(
            [*priority.actions.all(), *priority.criteria.all()],
            ["red", "amber", "green"],
            strict=True,
        )
    ] + [services.RatingInput(subject=p, rating=None) for p in plan.priorities.all()]

    def run():
        services.termly_review_save(
            actor=world.user("headteacher"),
            plan=plan,
            term=autumn,
            entries=entries,
            today=autumn.ends_on,
        )

    single, bulk = _both_ways(monkeypatch, review_services, run)
    kinds = [row["after"]["kind"] for row in bulk]
    assert kinds == ["action", "action", "criterion"] * 2 + ["priority"] * 2, "children first"
    assert bulk == single
    assert {row["after"]["rating"] for row in bulk if row["after"]["kind"] == "priority"} == {
        "red"
    }, "priorities derived from the children just saved"


def test_copy_into_next_year_writes_the_audit_rows_of_one_by_one_creates(world, monkeypatch):
    plan, year = _plan(world)
    make_year(world.trust_a, year.start_year + 1, current=False)
    for n, priority in enumerate(plan.priorities.all()):
        services.milestone_create(
            actor=world.user("headteacher"),
            priority=priority,
            term=year.terms.last(),
            description=f"Milestone {n}",
        )
    Action.objects.filter(what="Maths action 1").update(status="complete")

    def run():
        services.plan_copy_to_next_year(actor=world.user("headteacher"), plan=plan, prefill=False)

    single, bulk = _both_ways(monkeypatch, plan_services, run)

    # One by one, the rows under each priority followed it; in bulk each kind comes together.
    def ordered(rows):
        return sorted(rows, key=lambda row: json.dumps(row, sort_keys=True))

    assert ordered(bulk) == ordered(single)
    types = [row["object_type"] for row in bulk]
    assert types.count("planning.priority") == 2 and types.count("planning.action") == 3
    assert types.count("planning.successcriterion") == 2
    assert types.count("planning.milestone") == 2
    copy = SchoolPlan.objects.get(copied_from=plan)
    assert sorted(copy.priorities.values_list("title", flat=True)) == ["Maths", "Reading"]
