"""In-year tracking (issue 18 item 5): shares on track per subject and year group from termly
teacher assessment imported through the real importer, the change since last term, who sees
the grid and who the pupils behind it, and the drill-down recorded in the pupil access log."""

import datetime

import pytest
from django.urls import reverse

from trustwide.audit.models import PupilAccessKind, PupilDataAccess
from trustwide.data.models import ImportStatus, Pupil
from trustwide.data.services import import_batch_create, import_batch_run

pytestmark = pytest.mark.django_db


def _import(world, year, dataset, text):
    batch = import_batch_create(
        actor=None,
        actor_label="test",
        trust=world.trust_a,
        school=world.school_a1,
        dataset=dataset,
        academic_year=year,
        file_name=f"{dataset}.csv",
    )
    batch = import_batch_run(batch=batch, source=text.encode(), today=datetime.date(year + 1, 6, 1))
    assert batch.status == ImportStatus.STORED, batch.errors
    return batch


def _upn(year_group, i):
    return f"A{year_group:02d}{i:09d}1"


def _assessments(world):
    """Year 3: 10 pupils; Year 4: 13 (one with a score only); Year 5: 3 pupils.

    Year 3 reading: autumn 5 on track of 10 (50%), spring 7 of 10 (70%): +20 pp.
    Year 3 maths, spring only: 5 of 10 (50%), no autumn figure so no change.
    Year 4 reading: autumn 6 of 12 (50%), spring 9 of 12 (75%): +25 pp; the 13th pupil has a
    score and no judgement, so is not counted.
    Year 5 reading spring: 1 of 3, fewer than 10 pupils: not shown.
    """
    year = world.trust_a.academic_years.get(is_current=True).start_year
    urn = world.school_a1.urn
    roll = ["URN,UPN,Surname,Forename,DOB,Year group,Sex,Disadvantaged,FSM,SEN,EAL"]
    sizes = {3: 10, 4: 13, 5: 3}
    for yg, n in sizes.items():
        for i in range(n):
            born = datetime.date(year - 4 - yg, 3, 1) + datetime.timedelta(days=i)
            roll.append(f"{urn},{_upn(yg, i)},Pupil{yg}x{i},Test,{born:%d/%m/%Y},{yg},F,N,N,N,N")
    _import(world, year, "characteristics", "\n".join(roll) + "\n")

    rows = ["URN,UPN,Term,Subject,Judgement,Score"]

    def judged(yg, term, subject, on_track, total):
        for i in range(total):
            judgement = ("EXS", "GDS")[i % 2] if i < on_track else ("WTS", "PRE")[i % 2]
            rows.append(f"{urn},{_upn(yg, i)},{term},{subject},{judgement},")

    judged(3, "autumn", "reading", 5, 10)
    judged(3, "spring", "reading", 7, 10)
    judged(3, "spring", "maths", 5, 10)
    judged(4, "autumn", "reading", 6, 12)
    judged(4, "spring", "reading", 9, 12)
    rows.append(f"{urn},{_upn(4, 12)},spring,reading,,104")
    judged(5, "spring", "reading", 1, 3)
    _import(world, year, "assessments", "\n".join(rows) + "\n")
    return year


def _grid(world, year, term="spring"):
    return reverse("dashboards:tracking", kwargs={"pk": world.school_a1.pk}) + (
        f"?year={year}&term={term}"
    )


def _pupils(world, year, year_group, subject, term="spring"):
    url = reverse(
        "dashboards:tracking-pupils",
        kwargs={"pk": world.school_a1.pk, "year_group": year_group, "subject": subject},
    )
    return url + f"?year={year}&term={term}"


def test_counts_and_grid_worked_out_by_hand(world, login, django_assert_max_num_queries):
    from trustwide.dashboards.tracking import build_grid
    from trustwide.data.tracking import TERMS, tracking_counts

    year = _assessments(world)
    head = world.user("headteacher")
    counts = tracking_counts(user=head, school=world.school_a1, academic_year=year, terms=TERMS)
    got = {(c.subject, c.year_group, c.term): (c.on_track, c.assessed) for c in counts}
    assert got == {
        ("reading", 3, "autumn"): (5, 10),
        ("reading", 3, "spring"): (7, 10),
        ("maths", 3, "spring"): (5, 10),
        ("reading", 4, "autumn"): (6, 12),
        ("reading", 4, "spring"): (9, 12),
        ("reading", 5, "spring"): (1, 3),
    }
    grid = build_grid(counts, "spring")
    assert grid.previous == "autumn" and grid.year_groups == [3, 4, 5]
    cells = {(s, n): c for s, row in grid.rows for n, _label, c in row}
    assert (cells["reading", 3].share, cells["reading", 3].change) == (70.0, 70.0 - 50.0)
    assert (cells["reading", 4].share, cells["reading", 4].change) == (75.0, 75.0 - 50.0)
    assert (cells["maths", 3].share, cells["maths", 3].change) == (50.0, None)
    assert cells["reading", 5].share is None and cells["reading", 5].assessed == 3
    assert cells["maths", 4] is None
    autumn = build_grid(counts, "autumn")
    assert autumn.previous is None and autumn.year_groups == [3, 4]

    client = login(head)
    client.get(_grid(world, year))  # warm the session
    with django_assert_max_num_queries(8):  # 6 measured; none per subject or year group
        body = client.get(_grid(world, year)).content.decode()
    assert "70.0%" in body and "+20.0 pp" in body and "75.0%" in body and "+25.0 pp" in body
    assert "fewer than 10 pupils" in body and "(n=12)" in body
    assert _pupils(world, year, 3, "reading").split("?")[0] in body  # the drill-down link


def test_governor_sees_the_grid_but_not_the_pupils(world, login):
    year = _assessments(world)
    governor = login(world.user("local_governor"))
    body = governor.get(_grid(world, year)).content.decode()
    assert "70.0%" in body and "Pupils not on track" not in body
    assert governor.get(_pupils(world, year, 3, "reading")).status_code == 403
    assert not PupilDataAccess.objects.exists()
    # Another trust's leader: the school is out of scope, both pages 404.
    other = login(world.extra["trust_b_leader"])
    assert other.get(_grid(world, year)).status_code == 404
    assert other.get(_pupils(world, year, 3, "reading")).status_code == 404


def test_drill_down_lists_pupils_below_expected_and_is_recorded(
    world, login, django_assert_max_num_queries
):
    year = _assessments(world)
    head = world.user("headteacher")
    client = login(head)
    client.get(_grid(world, year))
    with django_assert_max_num_queries(14):  # 12 measured; names and the log in bulk
        response = client.get(_pupils(world, year, 3, "reading"))
    body = response.content.decode()
    # Year 3 reading, spring: pupils 7, 8, 9 were not on track (7 of 10 were).
    below = {_upn(3, i) for i in (7, 8, 9)}
    names = {p.pupil_key: str(p) for p in Pupil.objects.filter(school=world.school_a1)}
    keys = {p.pupil_key for p in Pupil.objects.filter(upn__in=below)}
    assert len(keys) == 3
    for key in keys:
        assert names[key] in body
    on_track = Pupil.objects.get(upn=_upn(3, 0))
    assert str(on_track) not in body
    access = PupilDataAccess.objects.get()
    assert (access.actor, access.school, access.kind) == (
        head,
        world.school_a1,
        PupilAccessKind.YEAR_GROUP_LISTS,
    )
    assert "Year 3 reading not on track" in access.description
    assert set(access.pupils.values_list("pupil_key", flat=True)) == keys
    assert client.get(_pupils(world, year, 3, "reading", term="winter")).status_code == 404


def test_school_dashboard_links_to_tracking(world, login):
    body = login(world.user("local_governor")).get(
        reverse("dashboards:school-dashboard", kwargs={"pk": world.school_a1.pk})
    )
    assert (
        reverse("dashboards:tracking", kwargs={"pk": world.school_a1.pk}) in body.content.decode()
    )


def test_without_a_term_the_page_shows_the_latest_term_with_judgements(world):
    from trustwide.dashboards.tracking import chosen_term
    from trustwide.data.tracking import TrackingCount

    terms = list(world.trust_a.academic_years.get(is_current=True).terms.order_by("number"))
    autumn, spring, summer = terms
    counts = [TrackingCount("reading", 3, "autumn", 5, 10)]
    in_summer = summer.starts_on
    # Summer under way, only autumn judged: autumn, said to be a fallback.
    assert chosen_term(None, terms, counts, in_summer) == ("autumn", True)
    counts.append(TrackingCount("reading", 3, "summer", 6, 10))
    assert chosen_term(None, terms, counts, in_summer) == ("summer", False)
    assert chosen_term("spring", terms, counts, in_summer) == ("spring", False)
    assert chosen_term(None, terms, [], spring.starts_on) == ("spring", False)  # nothing yet
