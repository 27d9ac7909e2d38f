"""The termly RAG of the strategic plan: derivation from the school priorities that cite each trust
priority and the central team's ratings, overrides with a reason, audit, past-term stability,
and the strategic plan page and rating form."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from trustwide.audit.models import AuditEvent
from trustwide.planning import hooks, msp_rag, selectors, services
from trustwide.planning.models import (
    Action,
    MspRating,
    Priority,
    RagRating,
    SchoolPlan,
    SuccessCriterion,
    SuccessIndicator,
)

from .factories import strategic_plan

R = services.RatingInput
M = services.MspRatingInput


def _setup(world):
    """MSP1 cited by a priority at A1 (rated by the school) and one at A2 (not rated itself, one
    action rated); MSP10 cited by nobody."""
    year = world.trust_a.academic_years.get(is_current=True)
    terms = list(year.terms.order_by("number"))
    msp = strategic_plan(world.trust_a)
    msp1, msp10 = list(msp.priorities.order_by("number"))
    out = {"year": year, "terms": terms, "msp": msp, "msp1": msp1, "msp10": msp10}
    for key, school in (("a1", world.school_a1), ("a2", world.school_a2)):
        plan = SchoolPlan.objects.create(
            school=school, academic_year=year, status="in_progress", title=f"SIP {school.name}"
        )
        priority = Priority.objects.create(plan=plan, number=1, title=f"Reading at {key}")
        priority.trust_priorities.add(msp1)
        action = Action.objects.create(priority=priority, what="Catch-up", due_on=year.ends_on)
        criterion = SuccessCriterion.objects.create(priority=priority, description="72% at EXS")
        out[key] = (plan, priority, action, criterion)
    return out


def _rate_school(world, s, key, term, *entries):
    plan = s[key][0]
    services.termly_review_save(
        actor=world.user("trust_leader"), plan=plan, term=term, entries=list(entries)
    )


@pytest.mark.parametrize(
    "schools, central, expected",
    [
        ([], [None], None),
        (["green", "green"], [None], "green"),
        (["green", "amber"], ["green"], "amber"),
        (["green", "red"], ["green"], "red"),
        (["blue", "blue"], ["blue"], "blue"),
        (["blue", "blue"], ["green"], "green"),
        ([None], ["amber"], "amber"),
        (["green"], ["red"], "red"),
    ],
)
def test_rule_is_worst_of_school_priorities_and_central_ratings(schools, central, expected):
    inputs = [
        msp_rag.SchoolInput(n, f"S{n}", n, "sip", n, 1, "P", r, "rated" if r else "")
        for n, r in enumerate(schools)
    ]
    assert msp_rag.derive(inputs, central) == expected


def test_inputs_use_school_rating_then_children_then_kpi_data(world, monkeypatch):
    s = _setup(world)
    autumn = s["terms"][0]
    _, p_a1, a_a1, _c = s["a1"]
    _, p_a2, a_a2, c_a2 = s["a2"]
    _rate_school(world, s, "a1", autumn, R(a_a1, "green"), R(p_a1, None))
    inputs = msp_rag.school_inputs(s["msp"], autumn)[s["msp1"].pk]
    by_school = {i.school: i for i in inputs}
    assert (by_school["A1 Primary"].rating, by_school["A1 Primary"].source) == ("green", "rated")
    assert by_school["A2 Primary"].rating is None  # nothing rated at A2

    # A2's KPI-bound criterion, not rated by the school, counts from the data (not met: amber).
    SuccessCriterion.objects.filter(pk=c_a2.pk).update(kpi_code="ks2_rwm_expected", target="72")

    def provider(plan, criteria):
        return {c.pk: hooks.DataStatus("Not yet met", "61% against 72%", False) for c in criteria}

    monkeypatch.setattr(hooks, "criterion_status_providers", [provider])
    inputs = msp_rag.school_inputs(s["msp"], autumn)[s["msp1"].pk]
    a2 = next(i for i in inputs if i.school == "A2 Primary")
    assert (a2.rating, a2.source) == ("amber", "from actions and criteria")
    # Once the school rates the criterion itself, its rating counts instead of the data.
    _rate_school(world, s, "a2", autumn, R(c_a2, "green"))
    a2 = next(
        i for i in msp_rag.school_inputs(s["msp"], autumn)[s["msp1"].pk] if i.school == "A2 Primary"
    )
    assert a2.rating == "green"
    assert a_a2.pk  # the action stays unrated: it adds nothing


def test_save_derives_records_evidence_and_audits(world):
    s = _setup(world)
    autumn = s["terms"][0]
    _, p_a1, a_a1, _ = s["a1"]
    _, p_a2, a_a2, _ = s["a2"]
    _rate_school(world, s, "a1", autumn, R(a_a1, "green"), R(p_a1, None))
    _rate_school(world, s, "a2", autumn, R(a_a2, "red"), R(p_a2, None))
    indicator = SuccessIndicator.objects.create(priority=s["msp1"], stage="y1_2", text="Gap < 5%")
    leader = world.user("trust_leader")
    saved = services.msp_termly_review_save(
        actor=leader,
        strategic_plan=s["msp"],
        term=autumn,
        entries=[
            M(s["msp1"], central_rating="green", indicator_ratings={indicator.pk: "amber"}),
            M(s["msp10"]),  # nothing cites it and nothing central: left unrated
        ],
    )
    assert len(saved) == 1
    rating = MspRating.objects.get(trust_priority=s["msp1"], term=autumn)
    assert (rating.rating, rating.derived, rating.is_derived) == ("red", "red", True)
    assert rating.central_rating == "green"
    assert rating.indicator_ratings == {str(indicator.pk): "amber"}
    assert [d["school"] for d in rating.evidence["drivers"]] == ["A2 Primary"]
    assert rating.evidence["counts"] == {"red": 1, "amber": 0, "green": 1, "blue": 0}
    assert rating.rated_by == leader
    event = AuditEvent.objects.get(object_type="planning.msprating", object_id=str(rating.pk))
    assert (event.action, event.actor_id, event.trust_id) == ("create", leader.pk, world.trust_a.pk)
    assert event.after["rating"] == "red"
    assert not MspRating.objects.filter(trust_priority=s["msp10"]).exists()


def test_override_needs_a_reason_like_a_school_priority(world):
    s = _setup(world)
    autumn = s["terms"][0]
    _, p_a2, a_a2, _ = s["a2"]
    _rate_school(world, s, "a2", autumn, R(a_a2, "red"), R(p_a2, None))
    leader = world.user("trust_leader")
    with pytest.raises(ValidationError) as exc:
        services.msp_termly_review_save(
            actor=leader, strategic_plan=s["msp"], term=autumn, entries=[M(s["msp1"], "amber")]
        )
    message = exc.value.message_dict[f"msp_{s['msp1'].pk}"][0]
    assert message == "Give a reason for overriding the derived rating, or leave it to be derived."
    # The same words refuse a school priority's override without a reason.
    with pytest.raises(ValidationError) as school_exc:
        _rate_school(world, s, "a2", autumn, R(p_a2, "amber"))
    assert school_exc.value.message_dict[f"priority_{p_a2.pk}"] == [message]
    assert not MspRating.objects.exists()

    services.msp_termly_review_save(
        actor=leader, strategic_plan=s["msp"], term=autumn, entries=[M(s["msp1"])]
    )
    services.msp_termly_review_save(
        actor=leader,
        strategic_plan=s["msp"],
        term=autumn,
        entries=[M(s["msp1"], "amber", override_reason="A2's catch-up starts in January.")],
    )
    rating = MspRating.objects.get(trust_priority=s["msp1"], term=autumn)
    assert (rating.rating, rating.derived, rating.is_derived) == ("amber", "red", False)
    assert rating.override_reason == "A2's catch-up starts in January."
    update = AuditEvent.objects.get(
        object_type="planning.msprating", object_id=str(rating.pk), action="update"
    )
    assert update.before["rating"] == "red" and update.after["rating"] == "amber"
    assert update.after["override_reason"] == "A2's catch-up starts in January."
    # Back to derived: the reason goes.
    services.msp_termly_review_save(
        actor=leader, strategic_plan=s["msp"], term=autumn, entries=[M(s["msp1"])]
    )
    rating.refresh_from_db()
    assert (rating.rating, rating.is_derived, rating.override_reason) == ("red", True, "")
    events = AuditEvent.objects.filter(
        object_type="planning.msprating", object_id=str(rating.pk)
    ).order_by("pk")
    assert [(e.action, e.after.get("is_derived")) for e in events] == [
        ("create", True),
        ("update", False),
        ("update", True),
    ]


def test_only_trust_leaders_rate_and_only_their_own_trust(world):
    s = _setup(world)
    autumn = s["terms"][0]
    for role in ("headteacher", "executive_headteacher", "trustee", "local_governor"):
        with pytest.raises(PermissionDenied, match="Only trust leaders RAG-rate"):
            services.msp_termly_review_save(
                actor=world.user(role),
                strategic_plan=s["msp"],
                term=autumn,
                entries=[M(s["msp1"], central_rating="green")],
            )
    other_term = world.trust_b.academic_years.get(is_current=True).terms.first()
    with pytest.raises(ValidationError, match="trust's own calendar"):
        services.msp_termly_review_save(
            actor=world.user("trust_leader"),
            strategic_plan=s["msp"],
            term=other_term,
            entries=[M(s["msp1"], central_rating="green")],
        )
    assert not MspRating.objects.exists()


def test_bad_central_and_indicator_ratings_save_nothing(world):
    s = _setup(world)
    other = SuccessIndicator.objects.create(priority=s["msp10"], stage="y5", text="All policies")
    with pytest.raises(ValidationError) as exc:
        services.msp_termly_review_save(
            actor=world.user("trust_leader"),
            strategic_plan=s["msp"],
            term=s["terms"][0],
            entries=[
                M(s["msp1"], central_rating="purple", indicator_ratings={other.pk: "green"}),
                M(s["msp10"], central_rating="green"),
            ],
        )
    errors = exc.value.message_dict
    assert "not on the RAG scale" in errors[f"central_{s['msp1'].pk}"][0]
    assert "not one of MSP1's" in errors[f"indicator_{other.pk}"][0]
    assert not MspRating.objects.exists()


def test_a_past_term_reads_the_same_after_schools_change_their_ratings(world, login):
    s = _setup(world)
    autumn, spring = s["terms"][:2]
    _, p_a2, a_a2, _ = s["a2"]
    leader = world.user("trust_leader")
    _rate_school(world, s, "a2", autumn, R(a_a2, "red"), R(p_a2, None))
    services.msp_termly_review_save(
        actor=leader, strategic_plan=s["msp"], term=autumn, entries=[M(s["msp1"])]
    )
    # Later A2 re-rates autumn green and renames its priority; spring is rated green.
    _rate_school(world, s, "a2", autumn, R(a_a2, "green"), R(p_a2, None))
    Priority.objects.filter(pk=p_a2.pk).update(title="Renamed later")
    _rate_school(world, s, "a2", spring, R(a_a2, "green"), R(p_a2, None))
    services.msp_termly_review_save(
        actor=leader, strategic_plan=s["msp"], term=spring, entries=[M(s["msp1"])]
    )
    autumn_rating = MspRating.objects.get(trust_priority=s["msp1"], term=autumn)
    assert autumn_rating.rating == "red"
    assert autumn_rating.evidence["drivers"][0]["title"] == "Reading at a2"

    terms, grid = selectors.msp_rag_grid(
        user=leader, strategic_plan=s["msp"], academic_year=s["year"]
    )
    autumn_cell, spring_cell = grid[s["msp1"].pk][:2]
    assert (autumn_cell.rating.rating, autumn_cell.change) == ("red", "new")
    assert (spring_cell.rating.rating, spring_cell.change) == ("green", "improved")
    assert spring_cell.change_label == "Improved from red"

    page = login(leader).get(reverse("planning:strategic-plan", args=[world.trust_a.slug]))
    html = page.content.decode()
    assert "Termly RAG" in html and "Improved from red" in html
    assert "Reading at a2" in html  # autumn's evidence as it was
    assert "Renamed later" not in html


def test_evidence_shows_only_the_viewers_schools(world, login):
    s = _setup(world)
    autumn = s["terms"][0]
    for key in ("a1", "a2"):
        _, p, a, _ = s[key]
        _rate_school(world, s, key, autumn, R(a, "amber"), R(p, None))
    services.msp_termly_review_save(
        actor=world.user("trust_leader"),
        strategic_plan=s["msp"],
        term=autumn,
        entries=[M(s["msp1"])],
    )
    cells = selectors.msp_rag_for_term(
        user=world.user("local_governor"), trust=world.trust_a, term=autumn
    )
    msp1 = cells[0]
    assert [d["school"] for d in msp1.drivers] == ["A1 Primary"]
    assert msp1.hidden_drivers == 1
    trustee = selectors.msp_rag_for_term(
        user=world.user("trustee"), trust=world.trust_a, term=autumn
    )
    assert [d["school"] for d in trustee[0].drivers] == ["A1 Primary", "A2 Primary"]


def test_rating_page_saves_and_refuses_an_override_without_reason(world, login):
    s = _setup(world)
    autumn = s["terms"][0]
    _, p_a2, a_a2, _ = s["a2"]
    _rate_school(world, s, "a2", autumn, R(a_a2, "amber"), R(p_a2, None))
    client = login(world.user("trust_leader"))
    url = reverse("planning:msp-termly-review", args=[world.trust_a.slug]) + f"?term={autumn.name}"
    page = client.get(url)
    assert page.status_code == 200
    assert "Reading at a2" in page.content.decode()
    msp1 = s["msp1"].pk
    refused = client.post(url, {"term": autumn.name, f"r_{msp1}": "green"})
    assert refused.status_code == 400
    assert "Give a reason for overriding the derived rating" in refused.content.decode()
    assert not MspRating.objects.exists()
    done = client.post(
        url,
        {"term": autumn.name, f"r_{msp1}": "green", f"o_{msp1}": "Moderation shows it on track."},
    )
    assert done.status_code == 302
    rating = MspRating.objects.get(trust_priority_id=msp1, term=autumn)
    assert (rating.rating, rating.derived, rating.is_derived) == ("green", "amber", False)
    assert RagRating.objects.filter(term=autumn).count() == 2  # the school's, untouched


def test_strategic_plan_page_query_count_does_not_grow_with_priorities(
    world, login, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from trustwide.planning.models import TrustPriority

    s = _setup(world)
    autumn = s["terms"][0]
    _, p_a2, a_a2, _ = s["a2"]
    _rate_school(world, s, "a2", autumn, R(a_a2, "red"), R(p_a2, None))
    leader = world.user("trust_leader")

    def rate_all():
        services.msp_termly_review_save(
            actor=leader,
            strategic_plan=s["msp"],
            term=autumn,
            entries=[M(p, central_rating="green") for p in s["msp"].priorities.all()],
        )

    rate_all()
    client = login(world.user("trustee"))
    url = reverse("planning:strategic-plan", args=[world.trust_a.slug])
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    assert len(few.captured_queries) <= 14  # measured 14 with 2 priorities
    for n in range(2, 9):
        TrustPriority.objects.create(
            strategic_plan=s["msp"], number=n, code=f"MSP{n}", title=f"P{n}", theme="T"
        )
    rate_all()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
