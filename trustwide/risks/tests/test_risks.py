import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from trustwide.audit.models import AuditEvent
from trustwide.risks import selectors, services
from trustwide.risks.models import Risk

from .factories import make_risk

pytestmark = pytest.mark.django_db


def _fields(**over):
    base = dict(
        title="Roof leaks",
        category="estates",
        inherent_likelihood=4,
        inherent_impact=4,
        residual_likelihood=3,
        residual_impact=3,
        review_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    base.update(over)
    return base


def test_create_scores_and_audit(world):
    head = world.user("headteacher")
    risk = services.risk_create(
        actor=head, trust=world.trust_a, school=world.school_a1, **_fields()
    )
    assert (risk.inherent_score, risk.residual_score) == (16, 9)
    assert risk.reviews.count() == 1
    assert AuditEvent.objects.filter(
        object_type="risks.risk", object_id=str(risk.pk), school=world.school_a1
    ).exists()


@pytest.mark.parametrize("bad", [{"residual_likelihood": 6}, {"inherent_impact": 0}])
def test_scores_outside_1_to_5_rejected(world, bad):
    with pytest.raises(ValidationError) as exc:
        services.risk_create(
            actor=world.user("headteacher"),
            trust=world.trust_a,
            school=world.school_a1,
            **_fields(**bad),
        )
    assert "Scores run from 1 to 5." in str(exc.value)
    assert not Risk.objects.exists()


def test_new_risk_review_date_in_past_rejected(world):
    with pytest.raises(ValidationError) as exc:
        services.risk_create(
            actor=world.user("headteacher"),
            trust=world.trust_a,
            school=world.school_a1,
            **_fields(review_on=timezone.localdate() - datetime.timedelta(days=1)),
        )
    assert "cannot be in the past" in str(exc.value)
    assert not Risk.objects.exists()


def test_form_shows_errors_and_saves_nothing(world, client):
    client.force_login(world.user("headteacher"))
    data = {
        **_fields(
            residual_likelihood=9,
            review_on=(timezone.localdate() - datetime.timedelta(days=3)).isoformat(),
        ),
        "status": "open",
    }
    response = client.post(reverse("risks:school-risk-create", args=[world.school_a1.pk]), data)
    assert response.status_code == 400
    assert "Scores run from 1 to 5." in response.content.decode()
    assert not Risk.objects.exists()
    data["residual_likelihood"] = 3
    response = client.post(reverse("risks:school-risk-create", args=[world.school_a1.pk]), data)
    assert response.status_code == 400 and "cannot be in the past" in response.content.decode()
    assert not Risk.objects.exists()


def test_governor_cannot_edit(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.risk_create(
            actor=world.user("local_governor"),
            trust=world.trust_a,
            school=world.school_a1,
            **_fields(),
        )


def test_rollup_threshold_and_heatmap_counts(world):
    trust = world.trust_a
    make_risk(trust, None, title="Trust cash flow", likelihood=2, impact=5, inherent=(4, 5))
    high = make_risk(
        trust,
        world.school_a1,
        title="Safeguarding records",
        likelihood=4,
        impact=4,
        inherent=(5, 5),
        previous_score=12,
    )  # worse: 12 -> 16
    make_risk(
        trust,
        world.school_a2,
        title="Staff turnover",
        likelihood=3,
        impact=5,
        inherent=(4, 5),
        previous_score=20,
    )  # better: 20 -> 15
    make_risk(trust, world.school_a2, title="Minibus", likelihood=2, impact=2, inherent=(3, 3))
    make_risk(
        trust,
        world.school_a1,
        title="Closed one",
        likelihood=5,
        impact=5,
        inherent=(5, 5),
        status="closed",
    )
    make_risk(
        world.trust_b, world.school_b1, title="Other trust", likelihood=5, impact=5, inherent=(5, 5)
    )

    own, rolled, threshold = selectors.trust_register(trust)
    assert threshold == 15
    assert [r.title for r in own] == ["Trust cash flow"]
    assert [r.title for r in rolled] == ["Safeguarding records", "Staff turnover"]
    services.threshold_set(actor=world.user("trust_leader"), trust=trust, threshold=16)
    assert [r.title for r in selectors.trust_register(trust)[1]] == ["Safeguarding records"]
    with pytest.raises(ValidationError):
        services.threshold_set(actor=world.user("trust_leader"), trust=trust, threshold=26)

    hm, summary = selectors.schools_heatmap(trust)
    assert hm.total == 3  # the closed risk, the trust risk and trust B's are not counted
    assert (
        hm.count(4, 4) == 1 and hm.count(3, 5) == 1 and hm.count(2, 2) == 1 and hm.count(5, 5) == 0
    )
    assert hm.by_band == {"High": 2, "Medium": 0, "Low": 1}
    assert hm.movement == {"up": 1, "down": 1, "same": 0, "new": 1}
    rows = {row["school"].name: row for row in summary}
    assert (
        rows["A2 Primary"]["High"] == 1
        and rows["A2 Primary"]["Low"] == 1
        and rows["A2 Primary"]["down"] == 1
    )
    assert rows["A1 Primary"]["up"] == 1

    # A review moves the risk: 16 -> 8 is better since the last review, and it leaves the trust register.
    services.risk_review(
        actor=world.user("headteacher"),
        risk=high,
        likelihood=2,
        impact=4,
        next_review_on=timezone.localdate() + datetime.timedelta(days=60),
        note="New DSL trained",
    )
    high.refresh_from_db()
    selectors.attach_movement([high])
    assert (high.residual_score, high.movement, high.previous_score) == (8, "down", 16)


def test_mitigating_action_must_be_the_schools(world):
    from trustwide.planning.tests.factories import plan_for

    other_action = plan_for(world.school_a2).priorities.first().actions.first()
    with pytest.raises(ValidationError) as exc:
        services.risk_create(
            actor=world.user("trust_leader"),
            trust=world.trust_a,
            school=world.school_a1,
            mitigating_action=other_action,
            **_fields(),
        )
    assert "this school's own plan" in str(exc.value)


def test_trust_register_page_and_exports(world, client, django_assert_max_num_queries):
    for i in range(3):
        make_risk(
            world.trust_a,
            world.school_a1,
            title=f"Risk {i}",
            likelihood=4,
            impact=4,
            inherent=(5, 5),
        )
    client.force_login(world.user("trustee"))
    url = reverse("risks:trust-register", args=[world.trust_a.slug])
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert response.status_code == 200 and "Risk 2" in response.content.decode()
    for i in range(3, 30):
        make_risk(
            world.trust_a,
            world.school_a2,
            title=f"Risk {i}",
            likelihood=5,
            impact=4,
            inherent=(5, 5),
        )
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200
    xlsx = client.get(reverse("risks:trust-export", args=[world.trust_a.slug, "xlsx"]))
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxml")
    pdf = client.get(reverse("risks:trust-export", args=[world.trust_a.slug, "pdf"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert (
        client.get(reverse("risks:trust-export", args=[world.trust_a.slug, "doc"])).status_code
        == 404
    )


def test_school_register_query_count(world, client, django_assert_max_num_queries):
    client.force_login(world.user("local_governor"))
    url = reverse("risks:school-register", args=[world.school_a1.pk])
    make_risk(world.trust_a, world.school_a1)
    with django_assert_max_num_queries(12):
        client.get(url)
    for i in range(25):
        make_risk(world.trust_a, world.school_a1, title=f"R{i}")
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert "R24" in response.content.decode()


def test_governor_sees_own_school_risks_only(world):
    make_risk(world.trust_a, world.school_a1, title="Mine")
    make_risk(world.trust_a, world.school_a2, title="Not mine")
    make_risk(world.trust_a, None, title="Trust level")
    titles = set(
        selectors.visible_risks(world.user("local_governor")).values_list("title", flat=True)
    )
    assert titles == {"Mine"}
    titles = set(selectors.visible_risks(world.user("trustee")).values_list("title", flat=True))
    assert titles == {"Mine", "Not mine", "Trust level"}


def test_delete_risk_entered_in_error_is_audited(world, client):
    from trustwide.risks.models import RiskReview

    risk = make_risk(world.trust_a, world.school_a1, title="Entered twice", previous_score=12)
    review_ids = set(risk.reviews.values_list("pk", flat=True))
    url = reverse("risks:risk-delete", args=[risk.pk])
    client.force_login(world.user("headteacher"))
    page = client.get(url)
    assert page.status_code == 200 and "closed" in page.content.decode()
    assert (
        reverse("risks:risk-delete", args=[risk.pk])
        in client.get(reverse("risks:risk-detail", args=[risk.pk])).content.decode()
    )
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("risks:school-register", args=[world.school_a1.pk])
    assert (
        not Risk.objects.filter(pk=risk.pk).exists()
        and not RiskReview.objects.filter(pk__in=review_ids).exists()
    )
    event = AuditEvent.objects.get(
        object_type="risks.risk", object_id=str(risk.pk), action="delete"
    )
    assert event.before["title"] == "Entered twice" and event.school_id == world.school_a1.pk
    assert event.actor == world.user("headteacher")
    assert AuditEvent.objects.filter(
        object_type="risks.riskreview", action="delete"
    ).count() == len(review_ids)


def test_delete_risk_needs_risk_edit_for_that_register(world, client):
    from django.core.exceptions import PermissionDenied

    school = make_risk(world.trust_a, world.school_a1, title="School risk")
    trust_risk = make_risk(world.trust_a, None, title="Trust risk")
    # A governor sees the risk but may not delete it; no link is shown either.
    client.force_login(world.user("local_governor"))
    assert (
        "Delete" not in client.get(reverse("risks:risk-detail", args=[school.pk])).content.decode()
    )
    assert client.post(reverse("risks:risk-delete", args=[school.pk])).status_code == 403
    # A headteacher cannot see the trust's own risks at all; an EHT reads them but may not delete.
    client.force_login(world.user("headteacher"))
    assert client.post(reverse("risks:risk-delete", args=[trust_risk.pk])).status_code == 404
    client.force_login(world.user("executive_headteacher"))
    assert client.get(reverse("risks:risk-detail", args=[trust_risk.pk])).status_code == 200
    assert client.post(reverse("risks:risk-delete", args=[trust_risk.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        services.risk_delete(actor=world.user("executive_headteacher"), risk=trust_risk)
    assert Risk.objects.count() == 2
    services.risk_delete(actor=world.user("trust_leader"), risk=trust_risk)
    assert Risk.objects.count() == 1


def test_eht_reads_trust_register_limited_to_own_hub(world, client):
    trust = world.trust_a
    make_risk(trust, None, title="Trust cash flow", likelihood=2, impact=5, inherent=(4, 5))
    make_risk(trust, world.school_a1, title="Hub one roof", likelihood=4, impact=4, inherent=(5, 5))
    make_risk(
        trust, world.school_a1, title="Hub one minibus", likelihood=2, impact=2, inherent=(3, 3)
    )
    make_risk(
        trust, world.school_a2, title="Hub two staffing", likelihood=5, impact=4, inherent=(5, 5)
    )
    make_risk(
        world.trust_b, world.school_b1, title="Other trust", likelihood=5, impact=5, inherent=(5, 5)
    )
    eht = world.user("executive_headteacher")
    assert selectors.may_see_trust_register(eht, trust)
    assert not selectors.may_see_trust_register(eht, world.trust_b)
    assert not selectors.may_see_trust_register(world.user("headteacher"), trust)
    assert selectors.register_schools(eht, trust) == {world.school_a1.pk}
    assert selectors.register_schools(world.user("trustee"), trust) is None

    client.force_login(eht)
    response = client.get(reverse("risks:trust-register", args=[trust.slug]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Trust cash flow" in body and "Hub one roof" in body
    assert "Hub two staffing" not in body and "A2 Primary" not in body and "Other trust" not in body
    assert (
        "Add a trust risk" not in body and reverse("risks:threshold", args=[trust.slug]) not in body
    )
    hm = response.context["heatmap"]
    assert hm.total == 2 and hm.count(5, 4) == 0  # hub one's two risks only
    assert [row["school"].name for row in response.context["summary"]] == ["A1 Primary"]

    import io

    from openpyxl import load_workbook

    xlsx = client.get(reverse("risks:trust-export", args=[trust.slug, "xlsx"]))
    book = load_workbook(io.BytesIO(xlsx.content))
    titles = [
        row[2] for sheet in book.worksheets for row in sheet.iter_rows(min_row=2, values_only=True)
    ]
    assert (
        "Hub one roof" in titles
        and "Trust cash flow" in titles
        and "Hub two staffing" not in titles
    )

    # The trustee still sees every school rolled up.
    client.force_login(world.user("trustee"))
    body = client.get(reverse("risks:trust-register", args=[trust.slug])).content.decode()
    assert "Hub one roof" in body and "Hub two staffing" in body
    # Read-only for the EHT: no trust risks to create, no threshold.
    client.force_login(eht)
    assert client.get(reverse("risks:trust-risk-create", args=[trust.slug])).status_code == 403
    assert client.get(reverse("risks:threshold", args=[trust.slug])).status_code == 403
