"""A STAR project in a real browser, as seed 004's cycle runs it: a teacher writes the intent and
implementation, starts the project and evaluates its impact; the headteacher marks it exemplary;
a teacher at another school reads it on the trust's exemplars page. axe-core on each page."""

import pytest

from tests.browser.conftest import assert_accessible, log_in
from tests.world import grant, make_user
from trustwide.star.models import StarProject
from trustwide.star.tests.factories import priority_of

pytestmark = pytest.mark.browser


def test_a_star_project_from_intent_to_published_exemplar(live_server, page, world):
    priority = priority_of(world.school_a1)
    teacher = world.user("teacher")
    log_in(page, live_server, teacher)
    page.goto(f"{live_server.url}/schools/{world.school_a1.pk}/")
    page.get_by_role("link", name="STAR projects").click()
    assert_accessible(page, "star-school-projects")
    page.get_by_role("link", name="Start a STAR project").click()
    assert_accessible(page, "star-project-form")
    page.get_by_label("Title").fill("Retrieval quizzes in Year 5 maths")
    page.get_by_label("Priority").select_option(str(priority.pk))
    page.get_by_label("Enquiry question").fill("Do daily retrieval quizzes improve recall?")
    page.get_by_label("Baseline").fill("58% recall all times-tables facts.")
    page.get_by_label("Method").fill("Five-question quiz each morning for six weeks.")
    page.get_by_label("Measures").fill("Recall check before and after.")
    page.get_by_label("Middle Leader").check()
    page.get_by_role("button", name="Save").click()
    project = StarProject.objects.get()
    page.wait_for_url(f"{live_server.url}/star/{project.pk}/")
    assert_accessible(page, "star-project-draft")
    page.get_by_role("button", name="Start the project").click()
    assert page.get_by_text("The project is running.").is_visible()

    page.get_by_role("link", name="Evaluate the impact").click()
    assert_accessible(page, "star-evaluate")
    page.get_by_label("Findings").fill("Recall rose in both classes; pupil A gained most.")
    page.get_by_label("Impact statement").fill("From 58% to 81% recalling every fact.")
    page.get_by_label("Strong: clear gains on the baseline in the measures").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live_server.url}/star/{project.pk}/")
    assert page.get_by_text("Evaluation recorded.").is_visible()

    log_in(page, live_server, world.user("headteacher"))
    page.goto(f"{live_server.url}/star/{project.pk}/")
    page.get_by_role("link", name="Mark exemplary").click()
    assert_accessible(page, "star-mark-exemplary")
    page.get_by_label("What makes it exemplary").fill(
        "Simple, honest measures; any school can use it."
    )
    page.get_by_role("button", name="Mark exemplary").click()
    page.wait_for_url(f"{live_server.url}/star/{project.pk}/")
    assert page.get_by_text("Published as a trust exemplar").is_visible()

    other = make_user("a2_teacher")
    grant(other, "teacher", trust=world.trust_a, school=world.school_a2)
    log_in(page, live_server, other)
    page.goto(f"{live_server.url}/trusts/{world.trust_a.slug}/")
    page.get_by_role("link", name="STAR best-practice exemplars").click()
    assert page.get_by_role("heading", name="Retrieval quizzes in Year 5 maths").is_visible()
    assert page.get_by_text("Simple, honest measures; any school can use it.").is_visible()
    assert_accessible(page, "star-exemplars")

    log_in(page, live_server, world.user("trust_leader"))
    page.goto(f"{live_server.url}/trusts/{world.trust_a.slug}/")
    page.get_by_role("link", name="STAR projects: participation and impact").click()
    assert_accessible(page, "star-overview")
    row = page.get_by_role("row", name=world.school_a1.name)
    assert row.get_by_role("cell").all_inner_texts()[:6] == ["1", "2", "0", "0", "1", "1"]
