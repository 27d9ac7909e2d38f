"""The administrator's pages: GIAS import (upload, preview, confirm; errors shown, nothing saved),
add a school, add and edit a hub, close a school; current lists leave closed schools out."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from trustwide.audit.models import AuditEvent
from trustwide.trusts.models import Hub, School

from .gias_files import establishment, gias_bytes

pytestmark = pytest.mark.django_db


def upload(client, trust, rows, **data):
    url = reverse("trusts:gias-import", args=[trust.slug])
    file = SimpleUploadedFile(
        "edubasealldata20250422.csv", gias_bytes(rows), content_type="text/csv"
    )
    return client.post(url, {"file": file, "trust_code": "4015", **data})


def test_gias_import_preview_then_confirm(world, client):
    client.force_login(world.user("trust_administrator"))
    rows = [
        establishment(149001, name="Ashgrove Primary"),
        establishment(149002, name="Beech Primary"),
        establishment(149009, name="Other Trust School", trust_code="9000"),
    ]
    response = upload(client, world.trust_a, rows)
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "Ashgrove Primary" in page and "Beech Primary" in page and "Other Trust School" not in page
    )
    assert "Confirm the import" in page
    assert not School.objects.filter(urn=149001).exists()
    response = client.post(
        reverse("trusts:gias-import", args=[world.trust_a.slug]), {"confirm": "1"}
    )
    assert response.status_code == 302
    assert set(
        School.objects.filter(trust=world.trust_a, urn__in=[149001, 149002]).values_list(
            "name", flat=True
        )
    ) == {"Ashgrove Primary", "Beech Primary"}
    assert AuditEvent.objects.filter(action="import", trust=world.trust_a).count() == 1
    page = client.get(response.url).content.decode()
    assert "GIAS import done: 2 schools added, 0 updated, 0 closed, 0 unchanged." in page


def test_gias_import_errors_are_listed_and_nothing_is_saved(world, client):
    client.force_login(world.user("trust_administrator"))
    rows = [
        establishment(149001),
        establishment(149001, name="Twice"),
        establishment(world.school_b1.urn),
    ]
    response = upload(client, world.trust_a, rows)
    assert response.status_code == 400
    page = response.content.decode()
    assert (
        "Row 3, column &#x27;URN&#x27;: &#x27;149001&#x27; - expected each URN once (also on row 2)."
        in page
    )
    assert "Nothing has been changed" in page
    assert "Confirm the import" not in page
    response = client.post(
        reverse("trusts:gias-import", args=[world.trust_a.slug]), {"confirm": "1"}
    )
    assert response.status_code == 302 and not School.objects.filter(urn=149001).exists()


def test_gias_import_other_trusts_urn_is_refused_on_the_page(world, client):
    client.force_login(world.user("trust_administrator"))
    response = upload(client, world.trust_a, [establishment(world.school_b1.urn)])
    assert response.status_code == 400
    assert "already held by another trust" in response.content.decode()


def test_add_school_add_and_edit_hub_and_close(world, client):
    admin = world.user("trust_administrator")
    client.force_login(admin)
    response = client.post(reverse("trusts:hub-add", args=[world.trust_a.slug]), {"name": "East"})
    assert response.status_code == 302
    hub = Hub.objects.get(trust=world.trust_a, name="East")
    response = client.post(reverse("trusts:hub-edit", args=[hub.pk]), {"name": "East hub"})
    assert response.status_code == 302 and Hub.objects.get(pk=hub.pk).name == "East hub"
    data = {
        "name": "Fir Academy",
        "urn": "141777",
        "la_code": "383",
        "establishment_number": "4777",
        "ukprn": "10077777",
        "phase": "secondary",
        "establishment_type": "Academy converter",
        "academy_type": "converter",
        "age_low": "11",
        "age_high": "18",
        "has_sixth_form": "on",
        "street": "3 Fir Lane",
        "town": "Leeds",
        "postcode": "LS3 3CC",
        "headteacher": "Sam Fox",
        "joined_trust_on": "2025-09-01",
        "hub": str(hub.pk),
        "pupils_on_roll": "900",
        "capacity": "1000",
    }
    response = client.post(reverse("trusts:school-add", args=[world.trust_a.slug]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    school = School.objects.get(urn=141777)
    assert school.hub == hub and school.headteacher == "Sam Fox" and school.has_sixth_form
    # The same URN again: refused on the form, nothing saved.
    response = client.post(
        reverse("trusts:school-add", args=[world.trust_a.slug]), {**data, "name": "Copy"}
    )
    assert response.status_code == 400 and not School.objects.filter(name="Copy").exists()

    response = client.post(
        reverse("trusts:school-close", args=[school.pk]), {"left_trust_on": "2025-12-31"}
    )
    assert response.status_code == 302
    school.refresh_from_db()
    assert school.left_trust_on == datetime.date(2025, 12, 31)
    trust_page = client.get(
        reverse("trusts:trust-detail", args=[world.trust_a.slug])
    ).content.decode()
    assert "Schools that have left the trust" in trust_page and "left on 31 Dec 2025" in trust_page
    listing = client.get(reverse("trusts:school-list")).content.decode()
    assert "Fir Academy" not in listing and world.school_a1.name in listing
    # Still readable on its own page.
    detail = client.get(reverse("trusts:school-detail", args=[school.pk]))
    assert detail.status_code == 200 and "left the trust 31 Dec 2025" in detail.content.decode()


def test_headteacher_cannot_reach_the_admin_pages(world, client):
    client.force_login(world.user("headteacher"))
    assert client.get(reverse("trusts:gias-import", args=[world.trust_a.slug])).status_code == 403
    assert (
        client.post(
            reverse("trusts:school-close", args=[world.school_a1.pk]),
            {"left_trust_on": "2025-12-31"},
        ).status_code
        == 403
    )
    assert School.objects.get(pk=world.school_a1.pk).left_trust_on is None
