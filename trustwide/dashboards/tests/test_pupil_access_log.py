"""Issue 14, defect 5: every view of identifying pupil data is recorded (who, when, where, which
pupils), and the trust's data protection lead can answer "who has looked at this pupil"."""

import pytest
from django.urls import reverse

from trustwide.audit.models import PupilAccessKind, PupilDataAccess, PupilDataAccessPupil
from trustwide.data.models import Pupil

from .test_dashboards import _pupil_with_absence

pytestmark = pytest.mark.django_db


def _year5(world):
    return reverse("dashboards:year-group", kwargs={"pk": world.school_a1.pk, "group": "year_5"})


def test_year_group_pupil_lists_record_one_access_with_the_pupils_shown(
    world, login, django_assert_max_num_queries
):
    _pupil_with_absence(world)
    pupil = Pupil.objects.get(school=world.school_a1)
    head = world.user("headteacher")
    client = login(head)
    with django_assert_max_num_queries(30):
        body = client.get(_year5(world)).content.decode()
    assert "Zed Example" in body
    access = PupilDataAccess.objects.get()
    assert (access.actor, access.school, access.trust, access.kind) == (
        head,
        world.school_a1,
        world.trust_a,
        PupilAccessKind.YEAR_GROUP_LISTS,
    )
    assert "Year 5" in access.description and access.path.startswith("/schools/")
    assert list(access.pupils.values_list("pupil_key", flat=True)) == [pupil.pupil_key]
    assert access.pupil_count == 1
    client.get(_year5(world))
    assert PupilDataAccess.objects.count() == 2  # every view, not the first only


@pytest.mark.parametrize("role", ["local_governor", "trustee", "peer_reviewer"])
def test_roles_that_never_see_pupils_leave_no_access_record(world, login, role):
    _pupil_with_absence(world)
    login(world.user(role)).get(_year5(world))
    assert not PupilDataAccess.objects.exists()


def test_data_protection_lead_finds_who_looked_at_a_pupil(world, login):
    _pupil_with_absence(world)
    pupil = Pupil.objects.get(school=world.school_a1)
    login(world.user("headteacher")).get(_year5(world))
    login(world.user("senior_leader")).get(_year5(world))
    url = reverse("data:pupil-access-log", kwargs={"slug": world.trust_a.slug})
    client = login(world.user("trust_administrator"))
    body = client.get(url, {"upn": pupil.upn.lower()}).content.decode()
    assert "Zed Example" in body
    assert (
        f"<td>{world.user('headteacher')}</td>" in body
        and f"<td>{world.user('senior_leader')}</td>" in body
    )
    # The look-up itself is recorded against the pupil.
    lookup = PupilDataAccess.objects.get(kind=PupilAccessKind.ACCESS_LOG)
    assert lookup.actor == world.user("trust_administrator")
    assert PupilDataAccessPupil.objects.filter(access=lookup, pupil_key=pupil.pupil_key).exists()
    # What one person has seen.
    body = client.get(url, {"person": world.user("senior_leader").pk}).content.decode()
    assert "Year 5 pupil lists" in body and f"<td>{world.user('senior_leader')}</td>" in body
    assert f"<td>{world.user('headteacher')}</td>" not in body


def test_access_log_is_for_the_data_protection_lead_only(world, login):
    url = reverse("data:pupil-access-log", kwargs={"slug": world.trust_a.slug})
    assert login(world.user("headteacher")).get(url).status_code == 403
    assert login(world.user("trust_leader")).get(url).status_code == 200
    other = reverse("data:pupil-access-log", kwargs={"slug": world.trust_b.slug})
    assert login(world.user("trust_leader")).get(other).status_code == 404
