"""Academic years and terms: adding next year, editing term dates with messages that name
the term, and the current year switching in September (never silently mid-year)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from trustwide.audit.models import AuditEvent
from trustwide.common.schedule import jobs
from trustwide.trusts import years
from trustwide.trusts.models import AcademicYear, Term

D = datetime.date


def current(world, trust=None):
    return AcademicYear.objects.get(trust=trust or world.trust_a, is_current=True)


def dates_for(start):
    return {
        "autumn": (D(start, 9, 3), D(start, 12, 18)),
        "spring": (D(start + 1, 1, 5), D(start + 1, 3, 27)),
        "summer": (D(start + 1, 4, 13), D(start + 1, 7, 21)),
    }


def test_administrator_adds_next_year_with_its_terms_audited(world):
    admin = world.user("trust_administrator")
    start = current(world).start_year + 1
    year = years.academic_year_add(
        actor=admin, trust=world.trust_a, start_year=start, dates=dates_for(start)
    )
    assert not year.is_current
    assert [(t.name, t.starts_on) for t in year.terms.all()] == [
        ("autumn", D(start, 9, 3)),
        ("spring", D(start + 1, 1, 5)),
        ("summer", D(start + 1, 4, 13)),
    ]
    assert AuditEvent.objects.filter(
        object_type="trusts.academicyear", object_id=str(year.pk), actor=admin, action="create"
    ).exists()
    assert (
        AuditEvent.objects.filter(object_type="trusts.term", action="create", actor=admin).count()
        == 3
    )
    with pytest.raises(ValidationError, match="already exists"):
        years.academic_year_add(actor=admin, trust=world.trust_a, start_year=start)


@pytest.mark.parametrize(
    ("change", "term", "words"),
    [
        (
            {"spring": (D(2027, 12, 10), D(2028, 3, 27))},
            "spring",
            "Spring term: starts 10/12/2027, before the autumn term ends",
        ),
        (
            {"summer": (D(2028, 4, 13), D(2028, 9, 5))},
            "summer",
            "Summer term: 13/04/2028 to 05/09/2028 falls outside",
        ),
        (
            {"autumn": (D(2027, 12, 18), D(2027, 9, 3))},
            "autumn",
            "Autumn term: it ends (03/09/2027) before it starts",
        ),
    ],
)
def test_bad_term_dates_name_the_term_and_save_nothing(world, change, term, words):
    year = years.academic_year_add(
        actor=None, actor_label="test", trust=world.trust_a, start_year=2027, dates=dates_for(2027)
    )
    before = list(Term.objects.filter(academic_year=year).values_list("starts_on", "ends_on"))
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        years.terms_update(actor=world.user("trust_administrator"), year=year, dates=change)
    assert words in " ".join(caught.value.message_dict[term])
    assert (
        list(Term.objects.filter(academic_year=year).values_list("starts_on", "ends_on")) == before
    )
    assert AuditEvent.objects.count() == events


def test_term_dates_change_is_audited_and_refused_to_school_staff(world):
    year = current(world)
    spring = year.terms.get(name="spring")
    new = (spring.starts_on + datetime.timedelta(days=1), spring.ends_on)
    with pytest.raises(PermissionDenied):
        years.terms_update(actor=world.user("headteacher"), year=year, dates={"spring": new})
    years.terms_update(actor=world.user("trust_leader"), year=year, dates={"spring": new})
    spring.refresh_from_db()
    assert spring.starts_on == new[0]
    [event] = AuditEvent.objects.filter(object_type="trusts.term", object_id=str(spring.pk))
    assert event.action == "update" and event.after["starts_on"] == new[0].isoformat()


def test_september_switch_moves_only_trusts_that_added_the_new_year(world):
    this = current(world)
    nxt = years.academic_year_add(
        actor=None, actor_label="test", trust=world.trust_a, start_year=this.start_year + 1
    )
    # Mid-year and in August: nothing changes by itself.
    assert years.switch_current_years(D(this.start_year + 1, 3, 1)) == []
    assert years.switch_current_years(D(this.start_year + 1, 8, 31)) == []
    assert current(world) == this
    switched = years.switch_current_years(D(this.start_year + 1, 9, 1))
    assert switched == [nxt] and current(world) == nxt
    assert (
        current(world, world.trust_b).start_year == this.start_year
    )  # trust B has not added next year
    event = AuditEvent.objects.filter(
        object_type="trusts.academicyear", object_id=str(nxt.pk), action="update"
    ).get()
    assert event.actor_label == years.SWITCH_LABEL and event.after["is_current"] is True
    assert years.switch_current_years(D(this.start_year + 1, 9, 2)) == []  # idempotent


def test_switch_job_is_due_daily_in_september_only():
    [job] = [j for j in jobs() if j.name == "academic-year-switch"]
    assert job.period(datetime.datetime(2027, 9, 1, 6, tzinfo=datetime.UTC)) == "2027-09-01"
    assert job.period(datetime.datetime(2027, 10, 1, 6, tzinfo=datetime.UTC)) is None


def test_administrator_switches_early_but_not_back_to_an_ended_year(world):
    this = current(world)
    nxt = years.academic_year_add(
        actor=None, actor_label="t", trust=world.trust_a, start_year=this.start_year + 1
    )
    years.academic_year_make_current(actor=world.user("trust_administrator"), year=nxt)
    assert (
        current(world) == nxt
        and AcademicYear.objects.filter(trust=world.trust_a, is_current=True).count() == 1
    )
    with pytest.raises(ValidationError, match="cannot become the current year again"):
        years.academic_year_make_current(actor=None, year=this, today=D(this.start_year + 1, 9, 2))


def test_years_pages(world, login, client):
    login(world.user("trust_administrator"))
    start = current(world).start_year + 1
    url = reverse("trusts:year-add", args=[world.trust_a.slug])
    page = client.get(url).content.decode()
    assert f'value="{start}"' in page  # next year offered
    data = {"start_year": start}
    for name, (s, e) in dates_for(start).items():
        data[f"{name}_starts_on"], data[f"{name}_ends_on"] = s.isoformat(), e.isoformat()
    bad = {**data, "spring_starts_on": f"{start}-12-01"}
    response = client.post(url, bad)
    assert response.status_code == 400 and "Spring term: starts 01/12/" in response.content.decode()
    assert not AcademicYear.objects.filter(trust=world.trust_a, start_year=start).exists()
    assert client.post(url, data).status_code == 302
    year = AcademicYear.objects.get(trust=world.trust_a, start_year=start)
    listing = client.get(reverse("trusts:year-list", args=[world.trust_a.slug])).content.decode()
    assert year.label in listing and "Make" in listing
    terms_url = reverse("trusts:year-terms", args=[year.pk])
    assert (
        client.post(terms_url, {**data, "summer_ends_on": f"{start + 1}-07-18"}).status_code == 302
    )
    assert year.terms.get(name="summer").ends_on == D(start + 1, 7, 18)
    assert client.post(reverse("trusts:year-make-current", args=[year.pk])).status_code == 302
    assert current(world) == year
