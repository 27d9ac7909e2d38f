"""The demo trust has SEFs for every school across two years, with real differences."""

import time

from trustwide.evaluation import demo, selectors
from trustwide.evaluation.models import SelfEvaluation, TrustSelfReview, Validation
from trustwide.trusts import demo as trust_demo


def test_demo_has_two_years_of_sefs_with_real_differences(db):
    ctx = trust_demo.build_trust(schools=8, hubs=2)
    started = time.monotonic()
    demo.build(ctx)
    assert time.monotonic() - started < 10  # about 2 s for 12 schools when written
    for school in ctx.schools:
        years = set(
            SelfEvaluation.objects.filter(
                school=school, framework__code=demo.REPORT_CARD
            ).values_list("academic_year__start_year", flat=True)
        )
        assert years == {ctx.previous_year.start_year, ctx.current_year.start_year}, school
    assert SelfEvaluation.objects.filter(framework__code=demo.FOUR_CHARACTERISTICS).count() == 4
    statuses = set(
        SelfEvaluation.objects.filter(academic_year=ctx.current_year).values_list(
            "status", flat=True
        )
    )
    assert statuses == {"draft", "submitted"}
    assert (
        not SelfEvaluation.objects.filter(
            academic_year=ctx.previous_year, framework__code=demo.REPORT_CARD
        )
        .exclude(status="validated")
        .exists()
    )

    leader = ctx.users["ceo"]
    matrix = selectors.trust_matrix(
        user=leader, trust=ctx.trust, year=ctx.current_year, framework_code=demo.REPORT_CARD
    )
    changes = [c.change for row in matrix.rows for c in row.cells if c.change is not None]
    assert any(c > 0 for c in changes) and any(c < 0 for c in changes)  # some improve, some decline
    assert any(c.vs_inspection is not None for row in matrix.rows for c in row.cells)
    grades = {c.grade.label for row in matrix.rows for c in row.cells if c.grade}
    assert len(grades) >= 4

    last = selectors.trust_matrix(
        user=leader, trust=ctx.trust, year=ctx.previous_year, framework_code=demo.REPORT_CARD
    )
    generous = [row for row in last.rows if row.accuracy and row.accuracy.over_generous]
    accurate = [row for row in last.rows if row.accuracy and row.accuracy.agreement_percent == 100]
    assert generous and accurate
    assert Validation.objects.filter(role="peer_reviewer").exists()

    reviews = TrustSelfReview.objects.filter(trust=ctx.trust)
    assert reviews.count() == 2
    for review in reviews:
        assert review.ratings.exclude(grade_code="").count() == 10
