"""STAR pages: scoping (another school's project is 404), the exemplars page read across the
trust, the trust overview's figures, history, bounded queries and bad input on the forms."""

import pytest
from django.urls import reverse

from tests.world import grant, make_user
from trustwide.star.models import StarProject

from .factories import make_project, priority_of

pytestmark = pytest.mark.django_db


def detail(p):
    return reverse("star:project-detail", args=[p.pk])


def test_another_schools_project_is_404_and_never_listed(world, client):
    a2 = make_project(world.school_a2, lead=world.user("teacher"), title="A2 project")
    b1 = make_project(world.school_b1, lead=world.extra["trust_b_leader"], title="B1 project")
    a1 = make_project(world.school_a1, lead=world.user("teacher"), title="A1 project")
    for role in ("headteacher", "teacher", "senior_leader"):
        client.force_login(world.user(role))
        assert client.get(detail(a1)).status_code == 200
        assert client.get(detail(a2)).status_code == 404, role
        assert client.get(detail(b1)).status_code == 404, role
        assert client.get(reverse("star:project-evaluate", args=[a2.pk])).status_code == 404
        page = client.get(reverse("star:school-projects", args=[world.school_a1.pk]))
        assert "A1 project" in page.content.decode()
        assert "A2 project" not in page.content.decode()
    client.force_login(world.user("executive_headteacher"))  # hub H1: A1, not A2
    assert client.get(detail(a1)).status_code == 200
    assert client.get(detail(a2)).status_code == 404


def test_exemplars_are_read_across_the_trust_but_the_project_page_is_not(world, client):
    published = make_project(
        world.school_a2,
        lead=world.user("teacher"),
        title="Talk frames",
        status="evaluated",
        exemplary=True,
    )
    make_project(
        world.school_a2, lead=world.user("teacher"), title="Evaluated only", status="evaluated"
    )
    make_project(
        world.school_b1,
        lead=world.extra["trust_b_leader"],
        title="Trust B exemplar",
        status="evaluated",
        exemplary=True,
    )
    url = reverse("star:exemplars", args=[world.trust_a.slug])
    client.force_login(world.user("teacher"))  # a teacher at A1
    body = client.get(url).content.decode()
    assert "Talk frames" in body and "Clear and simple." in body and world.school_a2.name in body
    assert "Evaluated only" not in body and "Trust B exemplar" not in body
    assert client.get(detail(published)).status_code == 404  # the project page stays the school's
    for role in ("local_governor", "trustee", "peer_reviewer", "clerk_to_governors"):
        client.force_login(world.user(role))
        assert client.get(url).status_code == 403, role
    assert client.get(reverse("star:exemplars", args=[world.trust_b.slug])).status_code == 404


def test_history_follows_the_project_page(world, client):
    a1 = make_project(world.school_a1, lead=world.user("teacher"))
    a2 = make_project(
        world.school_a2, lead=world.user("teacher"), status="evaluated", exemplary=True
    )
    client.force_login(world.user("senior_leader"))
    history = lambda p: reverse("audit:object-history", args=["star.starproject", p.pk])  # noqa: E731
    assert client.get(history(a1)).status_code == 200
    assert client.get(history(a2)).status_code == 404
    client.force_login(world.user("trust_leader"))
    assert client.get(history(a2)).status_code == 200


def test_overview_figures_equal_the_counts_of_the_projects(world, client):
    teacher, middle, senco, head = (
        world.user(r) for r in ("teacher", "middle_leader", "senco", "headteacher")
    )
    a2_teacher = make_user("a2_teacher")
    grant(a2_teacher, "teacher", trust=world.trust_a, school=world.school_a2)
    a1, a2 = world.school_a1, world.school_a2
    rows = [
        # school, lead, members, status, rating, exemplary
        (a1, teacher, [middle], "draft", "", False),
        (a1, middle, [teacher, senco], "running", "", False),
        (a1, head, [], "evaluated", "strong", True),
        (a1, teacher, [], "evaluated", "limited", False),
        (a2, a2_teacher, [], "evaluated", "strong", False),
        (a2, a2_teacher, [], "evaluated", "moderate", True),
    ]
    for n, (school, lead, members, status, rating, exemplary) in enumerate(rows):
        make_project(
            school,
            lead=lead,
            members=members,
            title=f"P{n}",
            status=status,
            impact_rating=rating,
            exemplary=exemplary,
        )
    year = priority_of(a1).plan.academic_year
    # Last year's project is not in this year's figures.
    last_year = type(year).objects.create(trust=world.trust_a, start_year=year.start_year - 1)
    make_project(a1, lead=senco, title="Old", status="evaluated", year=last_year)

    def expected(school):
        mine = [r for r in rows if r[0] == school]
        people = {r[1].pk for r in mine} | {m.pk for r in mine for m in r[2]}
        return {
            "projects": len(mine),
            "staff": len(people),
            "draft": sum(r[3] == "draft" for r in mine),
            "running": sum(r[3] == "running" for r in mine),
            "evaluated": sum(r[3] == "evaluated" for r in mine),
            "exemplary": sum(r[5] for r in mine),
            "ratings": [
                sum(r[4] == v for r in mine) for v in ("strong", "moderate", "limited", "none")
            ],
        }

    def got(row):
        return {
            "projects": row.projects,
            "staff": row.staff,
            "draft": row.draft,
            "running": row.running,
            "evaluated": row.evaluated,
            "exemplary": row.exemplary,
            "ratings": row.rating_counts,
        }

    url = reverse("star:overview", args=[world.trust_a.slug]) + f"?year={year.start_year}"
    client.force_login(world.user("trust_leader"))
    response = client.get(url)
    assert response.status_code == 200
    overview = response.context["overview"]
    by_school = {row.school.pk: row for row in overview.rows}
    assert got(by_school[a1.pk]) == expected(a1) and got(by_school[a2.pk]) == expected(a2)
    assert overview.total.projects == len(rows)
    assert overview.total.staff == len({teacher.pk, middle.pk, senco.pk, head.pk, a2_teacher.pk})
    assert overview.total.rating_counts == [2, 1, 1, 0]
    # The executive headteacher of hub H1 sees A1 only.
    client.force_login(world.user("executive_headteacher"))
    overview = client.get(url).context["overview"]
    assert [row.school for row in overview.rows] == [a1]
    assert got(overview.rows[0]) == expected(a1)
    client.force_login(world.user("headteacher"))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("page", ["school", "exemplars", "overview"])
def test_pages_answer_in_a_bounded_number_of_queries(
    page, world, client, django_assert_max_num_queries
):
    leader = world.user("trust_leader")
    url = {
        "school": reverse("star:school-projects", args=[world.school_a1.pk]),
        "exemplars": reverse("star:exemplars", args=[world.trust_a.slug]),
        "overview": reverse("star:overview", args=[world.trust_a.slug]),
    }[page]
    client.force_login(leader)
    make_project(world.school_a1, lead=world.user("teacher"), status="evaluated", exemplary=True)
    client.get(url)  # warm the session (the idle-session clock writes once)
    with django_assert_max_num_queries(12) as few:
        assert client.get(url).status_code == 200
    print(f"QUERIES star {page}: {len(few.captured_queries)}")
    staff = [world.user(r) for r in ("middle_leader", "senco", "senior_leader")]
    for n in range(12):
        make_project(
            world.school_a1 if n % 2 else world.school_a2,
            lead=world.user("teacher"),
            members=staff,
            title=f"Project {n}",
            status="evaluated",
            exemplary=True,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_evaluating_a_draft_on_the_page_shows_the_reason(world, client):
    project = make_project(world.school_a1, lead=world.user("teacher"))
    client.force_login(world.user("teacher"))
    response = client.post(
        reverse("star:project-evaluate", args=[project.pk]),
        {"findings": "a", "impact": "b", "impact_rating": "strong"},
    )
    assert response.status_code == 400
    assert "A draft project cannot be evaluated" in response.content.decode()
    assert StarProject.objects.get(pk=project.pk).status == "draft"


def test_mark_exemplary_before_evaluation_on_the_page(world, client):
    project = make_project(world.school_a1, lead=world.user("teacher"), status="running")
    client.force_login(world.user("headteacher"))
    response = client.post(reverse("star:project-exemplary", args=[project.pk]), {"note": "Lovely"})
    assert response.status_code == 400
    assert "Only an evaluated project can be marked exemplary" in response.content.decode()


def test_a_teacher_starts_a_project_on_the_page_and_runs_it(world, client):
    teacher = world.user("teacher")
    priority = priority_of(world.school_a1)
    client.force_login(teacher)
    url = reverse("star:project-create", args=[world.school_a1.pk])
    form = client.get(url).content.decode()
    assert 'name="lead"' not in form  # a teacher leads their own project
    assert "Middle Leader" in form and "Local Governor" not in form  # staff to choose from
    response = client.post(
        url,
        {
            "title": "Retrieval quizzes",
            "priority": priority.pk,
            "question": "Q?",
            "baseline": "58%",
            "method": "Quiz",
            "measures": "",
            "members": [world.user("middle_leader").pk],
        },
    )
    project = StarProject.objects.get()
    assert response.status_code == 302 and project.lead == teacher
    assert list(project.team.values_list("user_id", flat=True)) == [world.user("middle_leader").pk]
    response = client.post(reverse("star:project-start", args=[project.pk]), follow=True)
    assert "Write the measures before you start the project." in response.content.decode()
    # A priority of another school is not among the choices.
    other = priority_of(world.school_a2)
    response = client.post(url, {"title": "X", "priority": other.pk})
    assert response.status_code == 400 and StarProject.objects.count() == 1


def test_school_and_trust_pages_link_to_star(world, client):
    client.force_login(world.user("trust_leader"))
    trust_page = client.get(
        reverse("trusts:trust-detail", args=[world.trust_a.slug])
    ).content.decode()
    assert reverse("star:exemplars", args=[world.trust_a.slug]) in trust_page
    assert reverse("star:overview", args=[world.trust_a.slug]) in trust_page
    client.force_login(world.user("teacher"))
    school_page = client.get(
        reverse("trusts:school-detail", args=[world.school_a1.pk])
    ).content.decode()
    assert reverse("star:school-projects", args=[world.school_a1.pk]) in school_page
    client.force_login(world.user("local_governor"))
    school_page = client.get(
        reverse("trusts:school-detail", args=[world.school_a1.pk])
    ).content.decode()
    assert reverse("star:school-projects", args=[world.school_a1.pk]) not in school_page


def test_home_page_asks_the_team_to_evaluate_last_years_running_project(world, client):
    last = priority_of(world.school_a1).plan.academic_year
    last_year = type(last).objects.create(trust=world.trust_a, start_year=last.start_year - 1)
    make_project(
        world.school_a1,
        lead=world.user("teacher"),
        members=[world.user("middle_leader")],
        title="Quizzes from last year",
        status="running",
        year=last_year,
    )
    make_project(world.school_a1, lead=world.user("teacher"), title="This year's", status="running")
    for role, shown in (("teacher", True), ("middle_leader", True), ("senco", False)):
        client.force_login(world.user(role))
        body = client.get(reverse("accounts:home")).content.decode()
        assert ("Evaluate your STAR project: Quizzes from last year" in body) is shown, role
        assert "This year&#x27;s" not in body and "This year's" not in body
