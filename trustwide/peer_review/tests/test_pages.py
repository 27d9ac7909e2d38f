"""Pages: the trust view, review page and forms, with query caps that do not grow with rows."""

import datetime

from django.urls import reverse
from django.utils import timezone

from tests.world import make_school
from trustwide.peer_review import services
from trustwide.peer_review.models import Finding, ReviewAction

from .factories import deployment_for, review_for


def _many_reviews(world, n_schools=12):
    schools = [world.school_a1, world.school_a2] + [
        make_school(world.trust_a, world.hub_1) for _ in range(n_schools - 2)
    ]
    year = world.trust_a.academic_years.get(is_current=True)
    groups = [schools[i : i + 3] for i in range(0, len(schools), 3)]
    reviews = services.rota_create(
        actor=None, actor_label="test", trust=world.trust_a, academic_year=year, groups=groups
    )
    for r in reviews:
        f = Finding.objects.create(review=r, area_name="Reading", findings="Notes")
        ReviewAction.objects.create(
            review=r,
            finding=f,
            what="Do it",
            owner_name="Lead",
            due_on=timezone.localdate() - datetime.timedelta(days=1),
        )
    services.support_assess(actor=None, actor_label="test", trust=world.trust_a)
    return reviews


def test_overview_query_count_does_not_grow_with_rows(world, login, django_assert_max_num_queries):
    client = login(world.users["trust_leader"])
    _many_reviews(world, 6)
    url = reverse("peer_review:overview", kwargs={"slug": world.trust_a.slug})
    with django_assert_max_num_queries(30) as small:
        assert client.get(url).status_code == 200
    _many_reviews_more = [make_school(world.trust_a, world.hub_2) for _ in range(6)]
    assert _many_reviews_more
    from trustwide.peer_review.models import Review, Triad

    Review.objects.all().delete()
    Triad.objects.all().delete()
    _many_reviews_rows = services.rota_create(
        actor=None,
        actor_label="t",
        trust=world.trust_a,
        academic_year=world.trust_a.academic_years.get(is_current=True),
        groups=[list(world.trust_a.schools.all())[i : i + 3] for i in range(0, 12, 3)],
    )
    assert len(_many_reviews_rows) == 12
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    assert "Rota calendar" in response.content.decode()


def test_review_page_and_write_flow(world, login):
    review = review_for(world.school_a1, reviewer_user=world.users["peer_reviewer"])
    client = login(world.users["peer_reviewer"])
    page = client.get(
        reverse("peer_review:review-detail", kwargs={"pk": review.pk})
    ).content.decode()
    assert "Reading in key stage 2" in page and "Add findings" in page
    response = client.post(
        reverse("peer_review:action-create", kwargs={"pk": review.pk}),
        {"what": "Model fluency", "owner_name": "Lead", "due_on": "2030-01-01"},
    )
    assert response.status_code == 302
    assert review.actions.filter(what="Model fluency").exists()
    bad = client.post(
        reverse("peer_review:finding-create", kwargs={"pk": review.pk}), {"findings": "x"}
    )
    assert bad.status_code == 400 and "Choose an SEF area" in bad.content.decode()


def test_review_page_query_cap(world, login, django_assert_max_num_queries):
    review = review_for(world.school_a1, reviewer_user=world.users["peer_reviewer"])
    for i in range(15):
        f = Finding.objects.create(review=review, area_name=f"Area {i}", findings="Notes")
        ReviewAction.objects.create(
            review=review,
            finding=f,
            what=f"Action {i}",
            owner_name="Lead",
            due_on=timezone.localdate(),
        )
    client = login(world.users["trust_leader"])
    with django_assert_max_num_queries(30):
        assert (
            client.get(reverse("peer_review:review-detail", kwargs={"pk": review.pk})).status_code
            == 200
        )


def test_rota_page_proposes_and_saves(world, login):
    for _ in range(4):
        make_school(world.trust_a, world.hub_2)
    client = login(world.users["trust_leader"])
    url = reverse("peer_review:rota", kwargs={"slug": world.trust_a.slug})
    page = client.get(url, {"propose": "1", "hubs": "mix", "phases": "any"})
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: form[name].initial for name in form.fields}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    bad = client.post(url, {name: "1" for name in form.fields if name != list(form.fields)[0]})
    assert bad.status_code == 400 and "is not reviewed this year" in bad.content.decode()


def test_school_page_shows_deployments_on_both_schools(world, login):
    d = deployment_for(world.school_a2, world.users["trust_leader"])
    d.from_school = world.school_a1
    d.save()
    client = login(world.users["trust_leader"])
    for school in (world.school_a1, world.school_a2):
        page = client.get(reverse("peer_review:school", kwargs={"pk": school.pk})).content.decode()
        assert "Reading fluency coaching" in page


def test_report_pdf(world, login):
    review = review_for(world.school_a1)
    response = login(world.users["trust_leader"]).get(
        reverse("peer_review:report-pdf", kwargs={"pk": review.pk})
    )
    assert response.status_code == 200 and response.content[:4] == b"%PDF"
