"""The demo trust has last year's strategic plan reviewed at the year's end (issue 17 item 7): a
new user opens a written review, presented to a trust board meeting held in the autumn after
the year (or, before that meeting, a written draft)."""

import datetime

from django.urls import reverse
from django.utils import timezone

from trustwide.accounts.models import User
from trustwide.planning import demo
from trustwide.planning.models import MspReviewStatus, MspYearReview
from trustwide.trusts import demo as trust_demo


def test_demo_has_last_years_msp_review_on_the_page(db, client):
    ctx = trust_demo.build_trust(schools=3, hubs=2)
    demo.build(ctx)
    review = MspYearReview.objects.select_related("board_meeting__body").get()
    assert review.academic_year == ctx.previous_year
    priorities = list(review.strategic_plan.priorities.all())
    assert priorities and all(
        review.entry(p.pk).get("outcome") and review.entry(p.pk).get("impact") for p in priorities
    )
    assert review.conclusions
    autumn = datetime.date(ctx.current_year.start_year, 10, 14)
    if autumn < timezone.localdate():
        assert review.status == MspReviewStatus.PRESENTED
        meeting = review.board_meeting
        assert meeting.body.kind == "board" and meeting.status == "held"
        assert meeting.held_on > ctx.previous_year.ends_on
    else:
        assert review.status == MspReviewStatus.DRAFT
    ctx.trust.mfa_policy = "off"  # two-step login has its own tests
    ctx.trust.save(update_fields=["mfa_policy"])
    client.force_login(User.objects.get(pk=ctx.users["ceo"].pk))  # as stored, password and all
    page = client.get(reverse("planning:msp-year-review", args=[review.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and review.conclusions in text
    assert "Statutory results against national" in text
