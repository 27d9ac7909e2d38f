"""The feed pages: the token is sealed at rest and never sent back to a browser; pages answer
in a bounded number of queries; the run history shows errors to those who see the imports."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from trustwide.audit.models import AuditEvent
from trustwide.feeds.crypto import unseal
from trustwide.feeds.models import FeedRun, FeedSource

from .wonde_server import SCHOOL_ID

TOKEN = "s3cret-wonde-token-0123456789abcdef"
CAP = 10  # queries per page, whatever the number of sources and runs


def _post_source(client, world, **extra):
    data = {
        "school": world.school_a1.pk,
        "kind": "wonde",
        "folder": "",
        "wonde_school_id": SCHOOL_ID,
        "token": TOKEN,
        "every_hours": 12,
        "is_enabled": "on",
        **extra,
    }
    return client.post(reverse("feeds:source-create", args=[world.trust_a.slug]), data)


def test_the_token_is_sealed_and_never_shown_again(world, login):
    client = login(world.user("trust_data_manager"))

    response = _post_source(client, world)

    source = FeedSource.objects.get()
    assert response.status_code == 302
    assert TOKEN not in source.token_encrypted and unseal(source.token_encrypted) == TOKEN
    for url in (
        reverse("feeds:source-edit", args=[source.pk]),
        reverse("feeds:source-detail", args=[source.pk]),
        reverse("feeds:trust-feeds", args=[world.trust_a.slug]),
    ):
        page = client.get(url).content.decode()
        assert TOKEN not in page and source.token_encrypted not in page
    assert (
        "A token is set — replace?"
        in client.get(reverse("feeds:source-edit", args=[source.pk])).content.decode()
    )
    # Nor in the audit log (shown on history pages), even as ciphertext.
    for event in AuditEvent.objects.filter(object_type="feeds.feedsource"):
        assert TOKEN not in str(event.after) and source.token_encrypted not in str(event.after)


def test_a_form_with_an_error_does_not_echo_the_token(world, login):
    client = login(world.user("trust_data_manager"))

    response = _post_source(client, world, wonde_school_id="not-an-id")

    assert response.status_code == 400
    body = response.content.decode()
    assert "Wonde ID" in body and TOKEN not in body
    assert not FeedSource.objects.exists()


def test_saving_without_a_token_keeps_the_saved_one(world, login):
    client = login(world.user("trust_data_manager"))
    _post_source(client, world)
    source = FeedSource.objects.get()
    sealed = source.token_encrypted

    response = client.post(
        reverse("feeds:source-edit", args=[source.pk]),
        {
            "school": world.school_a1.pk,
            "kind": "wonde",
            "wonde_school_id": SCHOOL_ID,
            "token": "",
            "every_hours": 6,
        },
    )

    source.refresh_from_db()
    assert response.status_code == 302
    assert source.token_encrypted == sealed and source.every_hours == 6 and not source.is_enabled


def _runs(source, n):
    FeedRun.objects.bulk_create(
        FeedRun(
            source=source,
            started_at=timezone.now(),
            status="failed",
            errors=[f"attendance_marks.csv row {i}, column 'Code': 'H' is retired"],
            error_count=1,
        )
        for i in range(n)
    )


def _page_queries(client, sources) -> dict[str, int]:
    counts = {}
    for name, args in (
        ("feeds:trust-feeds", [sources[0].trust.slug]),
        ("feeds:source-detail", [sources[0].pk]),
        ("feeds:run-detail", [FeedRun.objects.filter(source=sources[0]).first().pk]),
    ):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(name, args=args)).status_code == 200
        counts[name] = len(queries)
    return counts


def test_feed_pages_make_a_bounded_number_of_queries(world, login):
    sources = [
        FeedSource.objects.create(trust=world.trust_a, school=s, kind="folder", folder="x")
        for s in (world.school_a1, world.school_a2)
    ]
    for source in sources:
        _runs(source, 1)
    client = login(world.user("trust_data_manager"))
    client.get(reverse("feeds:trust-feeds", args=[world.trust_a.slug]))  # warm the session
    few = _page_queries(client, sources)
    for source in sources:
        _runs(source, 40)
    many = _page_queries(client, sources)

    assert many == few, (few, many)  # the count does not grow with the runs listed
    assert few["feeds:trust-feeds"] <= CAP and few["feeds:source-detail"] <= CAP, few
    assert few["feeds:run-detail"] <= CAP, few


def test_a_school_data_manager_sees_only_their_school_runs(world, login):
    mine = FeedSource.objects.create(
        trust=world.trust_a, school=world.school_a1, kind="folder", folder="a"
    )
    other = FeedSource.objects.create(
        trust=world.trust_a, school=world.school_a2, kind="folder", folder="b"
    )
    _runs(mine, 1)
    _runs(other, 1)
    client = login(world.user("school_data_manager"))

    page = client.get(reverse("feeds:trust-feeds", args=[world.trust_a.slug])).content.decode()

    assert world.school_a1.name in page and world.school_a2.name not in page
    assert client.get(reverse("feeds:source-detail", args=[other.pk])).status_code == 404
    run = FeedRun.objects.filter(source=mine).get()
    detail = client.get(reverse("feeds:run-detail", args=[run.pk])).content.decode()
    assert "column &#x27;Code&#x27;: &#x27;H&#x27; is retired" in detail
    assert "Add a feed source" not in page  # configuring is the trust's
