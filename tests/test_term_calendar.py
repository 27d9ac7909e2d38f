"""Six half-terms, closure days and a school's own term dates: validation that names the term,
half-term or day at fault and saves nothing, the one calendar every consumer reads
(trusts.calendar.term_dates_for), and the consumers that follow a school's own dates."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from trustwide.audit.models import AuditEvent
from trustwide.governance import services as governance
from trustwide.governance.models import CycleItem, CycleTask
from trustwide.trusts import years
from trustwide.trusts.calendar import term_dates_for
from trustwide.trusts.models import AcademicYear, ClosureDay, SchoolTerm, Term

D = datetime.date
START = 2030  # 2030/31: a year no fixture uses


def halves():
    """Term -> (starts, ends, first half ends, second half starts) of 2030/31."""
    return {
        "autumn": (D(2030, 9, 2), D(2030, 12, 20), D(2030, 10, 25), D(2030, 11, 4)),
        "spring": (D(2031, 1, 6), D(2031, 4, 4), D(2031, 2, 14), D(2031, 2, 24)),
        "summer": (D(2031, 4, 22), D(2031, 7, 22), D(2031, 5, 23), D(2031, 6, 2)),
    }


def add_year(world, half_terms=True):
    return years.academic_year_add(
        actor=world.user("trust_administrator"),
        trust=world.trust_a,
        start_year=START,
        dates=halves(),
        half_terms=half_terms,
    )


def with_change(term, index, day):
    dates = halves()
    value = list(dates[term])
    value[index] = day
    return {**dates, term: tuple(value)}


@pytest.mark.parametrize(
    ("dates", "key", "words"),
    [
        (
            with_change("autumn", 2, D(2031, 1, 9)),
            "autumn_half",
            "Autumn 1: ends 09/01/2031, outside the autumn term (02/09/2030 to 20/12/2030): "
            "a half-term lies inside its term.",
        ),
        (
            with_change("spring", 3, D(2031, 4, 14)),
            "spring_half",
            "Spring 2: starts 14/04/2031, outside the spring term",
        ),
        (
            with_change("summer", 3, D(2031, 5, 19)),
            "summer_half",
            "Summer 2: starts 19/05/2031, before summer 1 ends (23/05/2031): half-terms may not "
            "overlap.",
        ),
        (
            with_change("autumn", 3, None),
            "autumn_half",
            "Autumn half-term: give both dates of the break (Autumn 2 starts is missing).",
        ),
        (
            {**halves(), "spring": halves()["spring"][:2]},
            "spring_half",
            "Spring half-term: the year has six half-terms, so give the last day of spring 1 and "
            "the first day of spring 2.",
        ),
        (
            with_change("summer", 1, D(2031, 9, 3)),
            "summer",
            "Summer term: 22/04/2031 to 03/09/2031 falls outside the academic year 2030/31",
        ),
    ],
)
def test_bad_half_terms_name_the_half_term_and_save_nothing(world, dates, key, words):
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        years.academic_year_add(
            actor=world.user("trust_administrator"),
            trust=world.trust_a,
            start_year=START,
            dates=dates,
            half_terms=True,
        )
    assert words in " ".join(caught.value.message_dict[key])
    assert not AcademicYear.objects.filter(trust=world.trust_a, start_year=START).exists()
    assert AuditEvent.objects.count() == events


def test_six_half_terms_belong_to_their_terms(world):
    year = add_year(world)
    calendar = term_dates_for(None, year)
    assert [(h.code, h.starts_on, h.ends_on) for h in calendar.half_terms] == [
        ("autumn_1", D(2030, 9, 2), D(2030, 10, 25)),
        ("autumn_2", D(2030, 11, 4), D(2030, 12, 20)),
        ("spring_1", D(2031, 1, 6), D(2031, 2, 14)),
        ("spring_2", D(2031, 2, 24), D(2031, 4, 4)),
        ("summer_1", D(2031, 4, 22), D(2031, 5, 23)),
        ("summer_2", D(2031, 6, 2), D(2031, 7, 22)),
    ]
    # Termly reporting stays termly: a day in autumn 2 (or in the break) is in the autumn Term.
    autumn = Term.objects.get(academic_year=year, name="autumn")
    assert calendar.term_on(D(2030, 11, 20)).pk == autumn.pk
    assert calendar.half_term_on(D(2030, 11, 20)).label == "Autumn 2"
    assert calendar.term_on(D(2030, 10, 30)).pk == autumn.pk  # in the break
    assert calendar.half_term_on(D(2030, 10, 30)) is None
    assert not calendar.is_school_day(D(2030, 10, 30))
    assert calendar.is_school_day(D(2030, 10, 24))
    # Going back to three terms clears the breaks; a new year without dates follows the newest.
    years.terms_update(actor=None, actor_label="t", year=year, dates={}, half_terms=False)
    assert term_dates_for(None, year).half_terms == []
    assert not Term.objects.filter(academic_year=year, first_half_ends_on__isnull=False).exists()
    years.terms_update(actor=None, actor_label="t", year=year, dates=halves(), half_terms=True)
    nxt = years.academic_year_add(actor=None, actor_label="t", trust=world.trust_a, start_year=2031)
    assert nxt.half_terms and len(term_dates_for(None, nxt).half_terms) == 6


@pytest.mark.parametrize(
    ("day", "words"),
    [
        (D(2030, 8, 30), "falls outside the terms of 2030/31"),  # before the year
        (D(2030, 12, 23), "falls outside the terms of 2030/31"),  # Christmas holidays
        (D(2030, 10, 30), "falls in the autumn half-term break"),
        (D(2030, 9, 7), "it is a Saturday"),
    ],
)
def test_closure_days_must_be_school_days_in_term(world, day, words):
    year = add_year(world)
    with pytest.raises(ValidationError) as caught:
        years.closure_day_add(
            actor=world.user("trust_administrator"), year=year, on=day, reason="inset"
        )
    assert f"INSET day {day:%d/%m/%Y}: " in caught.value.message_dict["on"][0]
    assert words in caught.value.message_dict["on"][0]
    assert not ClosureDay.objects.exists()


def test_closure_day_is_audited_and_term_dates_cannot_leave_it_outside(world):
    admin = world.user("trust_administrator")
    year = add_year(world)
    day = years.closure_day_add(actor=admin, year=year, on=D(2030, 9, 2), reason="inset")
    assert AuditEvent.objects.filter(
        object_type="trusts.closureday", object_id=str(day.pk), action="create", actor=admin
    ).exists()
    assert not term_dates_for(world.school_a2, year).is_school_day(D(2030, 9, 2))  # every school
    with pytest.raises(ValidationError, match="already a closure day"):
        years.closure_day_add(actor=admin, year=year, on=D(2030, 9, 2), reason="closure")
    a2_day = years.closure_day_add(
        actor=admin, year=year, school=world.school_a2, on=D(2030, 9, 3), reason="inset"
    )
    # Moving the autumn term's start past the INSET days is refused, naming each day (A2 is on
    # the trust's dates, so its own INSET day would fall outside too).
    later = with_change("autumn", 0, D(2030, 9, 4))
    with pytest.raises(ValidationError) as caught:
        years.terms_update(actor=admin, year=year, dates=later)
    assert "INSET day 02/09/2030: it falls outside the terms of 2030/31" in caught.value.messages[0]
    assert (
        f"INSET day 03/09/2030 ({world.school_a2.name}): it falls outside"
        in (caught.value.messages[1])
    )
    years.closure_day_delete(actor=admin, day=a2_day)
    assert Term.objects.get(academic_year=year, name="autumn").starts_on == D(2030, 9, 2)
    with pytest.raises(PermissionDenied):
        years.closure_day_add(
            actor=world.user("headteacher"), year=year, on=D(2030, 9, 3), reason="inset"
        )


def own_dates():
    """School A1's local authority: autumn starts a day later, summer ends on 16 July."""
    dates = halves()
    return {
        **dates,
        "autumn": (D(2030, 9, 3), *dates["autumn"][1:]),
        "summer": (dates["summer"][0], D(2031, 7, 16), *dates["summer"][2:]),
    }


def test_school_leaders_keep_their_own_term_dates(world):
    year = add_year(world)
    a1, a2 = world.school_a1, world.school_a2
    head = world.user("headteacher")  # head of A1
    with pytest.raises(PermissionDenied):
        years.school_terms_set(actor=head, school=a2, year=year, dates=own_dates())
    with pytest.raises(PermissionDenied):
        years.school_terms_set(actor=world.user("teacher"), school=a1, year=year, dates=own_dates())
    bad = {
        **own_dates(),
        "summer": (D(2031, 4, 22), D(2031, 7, 16), D(2031, 7, 20), D(2031, 7, 27)),
    }
    with pytest.raises(ValidationError) as caught:
        years.school_terms_set(actor=head, school=a1, year=year, dates=bad)
    assert "Summer 1: ends 20/07/2031, outside the summer term" in caught.value.messages[0]
    assert not SchoolTerm.objects.exists()

    years.school_terms_set(actor=head, school=a1, year=year, dates=own_dates())
    mine, theirs = term_dates_for(a1, year), term_dates_for(a2, year)
    assert mine.own_dates and not theirs.own_dates
    assert [t.ends_on for t in mine.terms][-1] == D(2031, 7, 16)
    assert [t.ends_on for t in theirs.terms][-1] == D(2031, 7, 22)
    # Same Term rows (termly reporting), other dates.
    assert [t.pk for t in mine.terms] == [t.pk for t in theirs.terms]
    assert mine.term_on(D(2030, 9, 2)) is None and theirs.term_on(D(2030, 9, 2)) is not None
    assert AuditEvent.objects.filter(object_type="trusts.schoolterm", actor=head).count() == 3
    # A school's own closure day must be in its own term; it applies to it alone.
    with pytest.raises(ValidationError, match="falls outside the terms"):
        years.closure_day_add(actor=head, year=year, school=a1, on=D(2031, 7, 18), reason="inset")
    years.closure_day_add(actor=head, year=year, school=a1, on=D(2031, 7, 16), reason="inset")
    assert not term_dates_for(a1, year).is_school_day(D(2031, 7, 16))
    assert term_dates_for(a2, year).is_school_day(D(2031, 7, 16))
    # Back to the trust's dates (16 July is inside the trust's summer term too).
    assert years.school_terms_clear(actor=head, school=a1, year=year) == 3
    assert not term_dates_for(a1, year).own_dates


def test_annual_cycle_follows_each_schools_dates_and_skips_closure_days(world):
    admin = world.user("trust_administrator")
    year = add_year(world)
    a1, a2 = world.school_a1, world.school_a2
    years.school_terms_set(actor=admin, school=a1, year=year, dates=own_dates())
    years.closure_day_add(actor=admin, year=year, school=a1, on=D(2031, 7, 16), reason="inset")
    years.closure_day_add(actor=admin, year=year, on=D(2031, 5, 5), reason="bank_holiday")
    termly = CycleItem.objects.create(
        trust=world.trust_a,
        title="Summer report",
        role="headteacher",
        per_school=True,
        frequency="termly",
        days_before_term_end=0,
    )
    may = CycleItem.objects.create(
        trust=world.trust_a,
        title="May check",
        role="headteacher",
        per_school=True,
        frequency="once",
        month=5,
        day=5,
    )
    governance.cycle_generate(actor=None, actor_label="t", trust=world.trust_a, academic_year=year)

    def due(item, school):
        return sorted(
            CycleTask.objects.filter(item=item, school=school).values_list("due_on", flat=True)
        )

    # A1's summer term ends on 16 July, an INSET day: the task moves to the 15th. A2 keeps the
    # trust's 22 July.
    assert due(termly, a1)[-1] == D(2031, 7, 15)
    assert due(termly, a2)[-1] == D(2031, 7, 22)
    # The trust's bank holiday closes every school (A1 on its own dates too): Friday 2 May.
    assert due(may, a1) == due(may, a2) == [D(2031, 5, 2)]
    # Generating again adds nothing (occurrences are keyed on the trust's terms).
    assert (
        governance.cycle_generate(
            actor=None, actor_label="t", trust=world.trust_a, academic_year=year
        )
        == 0
    )


def test_september_switch_is_unchanged_by_school_dates(world):
    this = AcademicYear.objects.get(trust=world.trust_a, is_current=True)
    nxt = years.academic_year_add(
        actor=None, actor_label="t", trust=world.trust_a, start_year=this.start_year + 1
    )
    terms = {t.name: (t.starts_on, t.ends_on) for t in nxt.terms.all()}
    terms["autumn"] = (terms["autumn"][0] + datetime.timedelta(days=7), terms["autumn"][1])
    years.school_terms_set(
        actor=None, actor_label="t", school=world.school_a1, year=nxt, dates=terms
    )
    assert years.switch_current_years(D(this.start_year + 1, 8, 31)) == []
    assert years.switch_current_years(D(this.start_year + 1, 9, 1)) == [nxt]
    assert AcademicYear.objects.get(trust=world.trust_a, is_current=True) == nxt


def test_school_calendar_pages(world, login, client, django_assert_max_num_queries):
    year = add_year(world)
    a1 = world.school_a1
    login(world.user("headteacher"))
    page = reverse("trusts:school-calendar", args=[a1.pk])
    client.get(page)  # warm the session
    with django_assert_max_num_queries(16):
        response = client.get(f"{page}?year={START}")
    body = response.content.decode()
    assert response.status_code == 200 and "follows the trust's term dates" in body
    assert "six half-terms" in body
    url = reverse("trusts:school-terms", args=[a1.pk, year.pk])
    data = {}
    for name, (s, e, h1, h2) in own_dates().items():
        data |= {
            f"{name}_starts_on": s.isoformat(),
            f"{name}_ends_on": e.isoformat(),
            f"{name}_first_half_ends_on": h1.isoformat(),
            f"{name}_second_half_starts_on": h2.isoformat(),
        }
    response = client.post(url, {**data, "spring_first_half_ends_on": "2031-04-10"})
    assert response.status_code == 400
    assert "Spring 1: ends 10/04/2031, outside the spring term" in response.content.decode()
    assert not SchoolTerm.objects.exists()
    assert client.post(url, data).status_code == 302
    assert term_dates_for(a1, year).own_dates
    add = reverse("trusts:school-closure-add", args=[a1.pk, year.pk])
    response = client.post(add, {"on": "2031-02-17", "reason": "inset"})
    assert response.status_code == 400 and "spring half-term break" in response.content.decode()
    assert (
        client.post(add, {"on": "2031-02-13", "reason": "inset", "note": "Training"}).status_code
        == 302
    )
    with django_assert_max_num_queries(16):
        body = client.get(f"{page}?year={START}").content.decode()
    assert "keeps its own term dates" in body and "INSET day: Training" in body
    # The trust's years page lists half-terms and the trust's closure days.
    login(world.user("trust_administrator"))
    years_page = reverse("trusts:year-list", args=[world.trust_a.slug])
    client.get(years_page)
    with django_assert_max_num_queries(12):
        body = client.get(years_page).content.decode()
    assert "Autumn 1 ends" in body and "six half-terms" in body
    assert f'On their own term dates: <a href="{page}?year={START}">{a1.name}</a>' in body
