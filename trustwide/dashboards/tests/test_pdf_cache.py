"""Report PDFs render in the task worker and are cached on what they show (common.pdfs): a warm
PDF is a download without a render; a RAG rating, a risk or a KPI refresh makes the next request
render the new value; a PDF is only ever served to the audience it was made for."""

import io

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.world import grant, make_user
from trustwide.common import pdfs
from trustwide.common.models import RenderedPdf
from trustwide.kpis.services import kpis_refresh
from trustwide.planning import services as planning
from trustwide.planning.models import Action, Priority, SchoolPlan
from trustwide.risks import services as risks

from .helpers import current_start_year, kpi


def _text(response) -> str:
    from pypdf import PdfReader

    assert response["Content-Type"] == "application/pdf", response.content[:300]
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def _board_url(world):
    return reverse("dashboards:board-report-pdf", kwargs={"slug": world.trust_a.slug})


def test_a_warm_pdf_is_a_download_without_rendering_again(
    world, login, django_assert_max_num_queries
):
    kpi(world, world.school_a1, "overall_absence", 12.0)
    client = login(world.user("trust_leader"))
    before = pdfs.render_count()
    first = client.get(_board_url(world))  # the immediate backend renders inside the request
    assert "12.0%" in _text(first) and pdfs.render_count() == before + 1
    with django_assert_max_num_queries(12):
        second = client.get(_board_url(world))
    assert second.content == first.content and pdfs.render_count() == before + 1
    assert 'filename="' in second["Content-Disposition"]
    # Another user with the same grants shares the file.
    colleague = make_user("colleague")
    grant(colleague, "trust_leader", trust=world.trust_a)
    assert login(colleague).get(_board_url(world)).content == first.content
    assert pdfs.render_count() == before + 1


def test_without_a_finished_render_the_page_shows_progress_then_the_download(world, login):
    kpi(world, world.school_a1, "overall_absence", 12.0)
    client = login(world.user("trust_leader"))
    db_tasks = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with override_settings(TASKS=db_tasks):  # queued for a worker that has not run yet
        waiting = client.get(_board_url(world))
        polled = client.get(_board_url(world) + "?wait=1", HTTP_HX_REQUEST="true")
    for page in (waiting, polled):
        html = page.content.decode()
        assert page["Content-Type"].startswith("text/html") and "Preparing the PDF" in html
        assert 'hx-trigger="every 1s"' in html and 'http-equiv="refresh"' in html
    assert RenderedPdf.objects.filter(status="pending").count() == 1  # joined, not started twice
    # The worker runs the job.
    assert pdfs.render_pdf_job.call(RenderedPdf.objects.get().pk) == "ready"
    ready = client.get(_board_url(world) + "?wait=1").content.decode()
    assert "Download the PDF" in ready and "every 1s" not in ready
    assert "12.0%" in _text(client.get(_board_url(world)))


def _rated_plan(world):
    year = world.trust_a.academic_years.get(is_current=True)
    plan = SchoolPlan.objects.create(
        school=world.school_a1, academic_year=year, kind="sip", status="in_progress"
    )
    priority = Priority.objects.create(plan=plan, number=1, title="Reading")
    action = Action.objects.create(priority=priority, what="Phonics", due_on=year.ends_on)
    return plan, action, year.terms.order_by("number").first()


def _rate(world, plan, action, term, rating):
    R = planning.RatingInput
    planning.termly_review_save(
        actor=world.user("headteacher"),
        plan=plan,
        term=term,
        entries=[R(action, rating), R(action.priority, None)],
    )


def test_a_rag_rating_makes_the_next_plan_pdf_show_it(world, login):
    plan, action, term = _rated_plan(world)
    _rate(world, plan, action, term, "amber")
    client = login(world.user("headteacher"))
    url = reverse("planning:plan-pdf", args=[plan.pk])
    assert "Amber" in _text(client.get(url)) and "Red" not in _text(client.get(url))
    count = pdfs.render_count()
    _rate(world, plan, action, term, "red")
    text = _text(client.get(url))
    assert "Red" in text and "Amber" not in text and pdfs.render_count() == count + 1


def test_a_risk_change_makes_the_next_register_pdf_show_it(world, login):
    from trustwide.risks.tests.factories import make_risk

    risk = make_risk(world.trust_a, world.school_a1, title="Roof leaks")
    client = login(world.user("headteacher"))
    url = reverse("risks:school-export", kwargs={"pk": world.school_a1.pk, "fmt": "pdf"})
    assert "Roof leaks" in _text(client.get(url))
    risks.risk_update(actor=world.user("headteacher"), risk=risk, title="Boiler failure")
    text = _text(client.get(url))
    assert "Boiler failure" in text and "Roof leaks" not in text


def test_a_kpi_refresh_makes_the_next_board_pdf_show_the_new_figures(world, login):
    kpi(world, world.school_a1, "overall_absence", 12.0)
    client = login(world.user("trust_leader"))
    assert "12.0%" in _text(client.get(_board_url(world)))
    # The refresh replaces the stored values from the (here empty) pupil data store.
    kpis_refresh(trust=world.trust_a, academic_year=current_start_year(world))
    assert "12.0%" not in _text(client.get(_board_url(world)))


@pytest.mark.parametrize("role", ["headteacher", "local_governor"])
def test_school_roles_cannot_fetch_the_trust_board_pdf(world, login, role):
    login(world.user("trust_leader")).get(_board_url(world))  # warm for the trust audience
    response = login(world.user(role)).get(_board_url(world))
    assert response.status_code in (403, 404)
    assert response.get("Content-Type") != "application/pdf"


def test_a_pdf_cached_for_one_audience_is_never_served_to_another(world, login):
    leader_pdf = _text(login(world.user("trust_leader")).get(_board_url(world)))
    assert "A1 Primary" in leader_pdf and "A2 Primary" in leader_pdf
    count = pdfs.render_count()
    # The executive headteacher of hub H1 reads the board report for their hub only.
    hub_pdf = _text(login(world.user("executive_headteacher")).get(_board_url(world)))
    assert "A1 Primary" in hub_pdf and "A2 Primary" not in hub_pdf
    assert pdfs.render_count() == count + 1


def test_a_render_whose_requester_lost_access_meanwhile_fails_and_is_not_served(world, login):
    leader = make_user("leaving")
    membership = grant(leader, "trust_leader", trust=world.trust_a)
    client = login(leader)
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        client.get(_board_url(world))
    membership.delete()
    row = RenderedPdf.objects.get()
    assert pdfs.render_pdf_job.call(row.pk) == "failed"
    row.refresh_from_db()
    assert row.status == "failed" and row.pdf is None


def test_the_hourly_prune_deletes_earlier_days_pdfs_only(world, login):
    import datetime

    from django.utils import timezone

    login(world.user("trust_leader")).get(_board_url(world))
    login(world.user("executive_headteacher")).get(_board_url(world))
    old, today = RenderedPdf.objects.order_by("pk")
    RenderedPdf.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=1)
    )
    assert pdfs.prune_pdfs.call() == 1
    assert list(RenderedPdf.objects.values_list("pk", flat=True)) == [today.pk]
