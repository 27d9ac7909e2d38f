import pytest

from tests.browser.conftest import assert_accessible
from trustwide.kpis.tests.test_subjects import A1_HISTORY, _store, _table

pytestmark = pytest.mark.browser


def test_trust_leader_reads_results_by_subject(live_server, page, world):
    year = world.trust_a.academic_years.get(is_current=True).start_year
    a1, a2 = world.school_a1, world.school_a2
    _store(
        world.trust_a,
        year,
        {
            a1.urn: _table(a1.urn, year, "a1", {"HISTORY": A1_HISTORY, "ART": [6, 5, 4, 3]}),
            a2.urn: _table(a2.urn, year, "a2", {"HISTORY": [6] * 10}),
        },
    )
    leader = world.user("trust_leader")
    leader.set_password("a-long-browser-password")
    leader.save()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email address").fill(leader.email)
    page.get_by_label("Password").fill("a-long-browser-password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/trusts/{world.trust_a.slug}/")
    page.get_by_role("link", name="Results by subject").first.click()
    assert page.get_by_role("heading", level=1, name="Results by subject").is_visible()
    grid = page.get_by_role("table")
    history = grid.get_by_role("row").filter(has_text="History")
    assert "72.7%" in history.inner_text() and "below the trust" in history.inner_text()
    assert_accessible(page, "results-by-subject-trust")

    grid.get_by_role("link", name=a1.name).click()
    assert page.get_by_role("heading", level=1, name=f"Results by subject: {a1.name}").is_visible()
    art = page.get_by_role("row").filter(has_text="Art and design")
    assert "fewer than 5 entries" in art.inner_text()
    assert_accessible(page, "results-by-subject-school")

    # Key stage 2 on both pages: no KS2 figures stored, said plainly.
    page.get_by_role("combobox", name="Key stage").select_option("ks2")
    page.get_by_role("button", name="Show").click()
    assert page.get_by_role("caption").filter(has_text="Key stage 2").is_visible()
    assert_accessible(page, "results-by-subject-school-ks2")
    page.goto(f"{live_server.url}/trusts/{world.trust_a.slug}/results-by-subject/?key_stage=ks2")
    assert page.get_by_text("No key stage 2 results are stored").is_visible()
    assert_accessible(page, "results-by-subject-trust-ks2")
