"""Trust-wide pages and the home page's attention items are cached (common.pagecache), keyed on
the trust's data version and the viewer's grants: a RAG rating, a risk and a KPI refresh show at
once; a cached part is never served to another scope; the home page shows a new item at once."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.world import grant, make_user
from trustwide.common import pagecache
from trustwide.kpis.models import KpiValue
from trustwide.kpis.services import kpis_refresh
from trustwide.planning import services as planning
from trustwide.planning.models import Action, PlanStatus, Priority, SchoolPlan
from trustwide.planning.tests.factories import plan_for
from trustwide.risks import services as risks
from trustwide.risks.tests.factories import make_risk

from .helpers import current_start_year, kpi


def _get(client, url) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(ctx.captured_queries)


def _dashboard(world):
    return reverse("dashboards:trust-dashboard", kwargs={"slug": world.trust_a.slug})


def test_the_trust_dashboard_is_served_from_the_cache_until_a_kpi_refresh(world, login):
    stored = kpi(world, world.school_a1, "overall_absence", 12.0)
    client = login(world.user("trust_leader"))
    client.get(reverse("accounts:home"))  # the session's first request writes its clock
    first, cold = _get(client, _dashboard(world))
    assert "12.0%" in first
    # Changed behind the services' back (no data version bump): the cached rows stay.
    KpiValue.objects.filter(pk=stored.pk).update(value=13.0)
    second, warm = _get(client, _dashboard(world))
    assert "12.0%" in second and "13.0%" not in second and warm < cold
    # The refresh replaces the stored values (here from an empty pupil store) and bumps the
    # version: the very next request shows it.
    kpis_refresh(trust=world.trust_a, academic_year=current_start_year(world))
    after, _ = _get(client, _dashboard(world))
    assert "12.0%" not in after and "13.0%" not in after


def _rollup_totals(html: str) -> list[int]:
    """Red, amber, green, blue of the board report's plan roll-up total row."""
    section = html[html.index("Priority ratings by colour") :]
    foot = section[section.index("<tfoot>") : section.index("</tfoot>")]
    return [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', foot)][:4]


def test_a_rag_rating_shows_at_once_on_the_cached_board_report(world, login):
    year = world.trust_a.academic_years.get(is_current=True)
    term = year.terms.order_by("number").first()
    plan = SchoolPlan.objects.create(
        school=world.school_a1, academic_year=year, kind="sip", status="in_progress"
    )
    priority = Priority.objects.create(plan=plan, number=1, title="Reading")
    action = Action.objects.create(priority=priority, what="Phonics", due_on=year.ends_on)
    R = planning.RatingInput

    def rate(rating):
        planning.termly_review_save(
            actor=world.user("headteacher"),
            plan=plan,
            term=term,
            entries=[R(action, rating), R(priority, None)],  # the priority's rating derives
        )

    rate("amber")
    client = login(world.user("trust_leader"))
    url = reverse("dashboards:board-report", kwargs={"slug": world.trust_a.slug})
    url += f"?term={term.pk}"
    assert _rollup_totals(_get(client, url)[0]) == [0, 1, 0, 0]
    assert _rollup_totals(_get(client, url)[0]) == [0, 1, 0, 0]  # from the cache
    rate("red")
    assert _rollup_totals(_get(client, url)[0]) == [1, 0, 0, 0]


def test_a_risk_change_shows_at_once_on_the_cached_trust_register(world, login):
    risk = make_risk(
        world.trust_a, world.school_a1, title="Roof leaks", likelihood=4, impact=4, inherent=(5, 5)
    )
    client = login(world.user("trust_leader"))
    url = reverse("risks:trust-register", args=[world.trust_a.slug])
    assert "Roof leaks" in _get(client, url)[0]
    assert "Roof leaks" in _get(client, url)[0]
    risks.risk_update(actor=world.user("headteacher"), risk=risk, title="Boiler failure")
    html = _get(client, url)[0]
    assert "Boiler failure" in html and "Roof leaks" not in html


def test_an_eht_sees_only_their_hub_after_a_leader_warmed_the_cache(world, login):
    for school, title in ((world.school_a1, "Hub one risk"), (world.school_a2, "Hub two risk")):
        make_risk(world.trust_a, school, title=title, likelihood=4, impact=4, inherent=(5, 5))
    kpi(world, world.school_a2, "overall_absence", 12.0)
    pages = (_dashboard(world), reverse("risks:trust-register", args=[world.trust_a.slug]))
    leader = login(world.user("trust_leader"))
    for url in pages:
        html = _get(leader, url)[0]  # warms the cache for the whole trust
        assert "A2 Primary" in html, url
    assert "Hub two risk" in html
    eht = login(world.user("executive_headteacher"))  # hub H1: A1, not A2
    for url in pages:
        html = _get(eht, url)[0]
        assert "A1 Primary" in html and "A2 Primary" not in html
    assert "Hub one risk" in html and "Hub two risk" not in html
    # And the other way round: the leader still sees the whole trust.
    assert "A2 Primary" in _get(login(world.user("trust_leader")), pages[0])[0]


def test_a_head_never_gets_the_trust_leaders_cached_rows(world, login):
    login(world.user("trust_leader")).get(_dashboard(world))  # warm for the trust's audience
    response = login(world.user("headteacher")).get(_dashboard(world))
    assert response.status_code in (403, 404) and b"A2 Primary" not in response.content
    params = {"year": current_start_year(world)}
    keys = {
        pagecache.page_key(
            "trust-dashboard", trust=world.trust_a, user=world.user(r), params=params
        )
        for r in ("trust_leader", "headteacher", "executive_headteacher")
    }
    assert len(keys) == 3
    # Same grants, same rows: a second trust leader shares the leader's entry.
    colleague = make_user("colleague")
    grant(colleague, "trust_leader", trust=world.trust_a)
    same = pagecache.page_key("trust-dashboard", trust=world.trust_a, user=colleague, params=params)
    assert same in keys


def test_the_home_page_shows_a_new_attention_item_at_once(world, login):
    plan = plan_for(world.school_a1, owner=world.user("teacher"))
    client = login(world.user("local_governor"))  # governors agree plans
    home = reverse("accounts:home")
    client.get(reverse("kpis:definitions"))  # the session's first request writes its clock
    first, cold = _get(client, home)
    second, warm = _get(client, home)
    assert "awaits governors" not in second and warm < cold  # gathered once, then cached
    planning.plan_submit(actor=world.user("headteacher"), plan=plan)
    assert plan.status == PlanStatus.SUBMITTED
    assert "awaits governors" in _get(client, home)[0]
    # Items are the user's own: the trust leader (who does not agree plans) never sees it.
    assert "awaits governors" not in _get(login(world.user("trust_leader")), home)[0]
