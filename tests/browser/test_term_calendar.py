"""The academic calendar in a real browser: the administrator switches a year to six half-terms
and adds a bank holiday; a headteacher gives the school its own dates and an INSET day. Each
page passes axe."""

import datetime

import pytest

from tests.browser.conftest import assert_accessible
from trustwide.trusts.calendar import term_dates_for
from trustwide.trusts.models import AcademicYear

pytestmark = pytest.mark.browser
PASSWORD = "a-long-browser-password"


def _login(page, live_server, user):
    user.set_password(PASSWORD)
    user.save()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")


def _weekday_in(term, offset_days):
    day = term.starts_on + datetime.timedelta(days=offset_days)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def test_half_terms_closure_days_and_a_schools_own_dates(live_server, page, world, browser):
    year = AcademicYear.objects.get(trust=world.trust_a, is_current=True)
    autumn = year.terms.get(name="autumn")
    _login(page, live_server, world.user("trust_administrator"))

    page.goto(f"{live_server.url}/years/{year.pk}/terms/")
    page.get_by_label("Six half-terms").check()
    page.get_by_role("button", name="Save").click()
    # No breaks given: the page names the half-term at fault.
    error = page.locator("#id_autumn_first_half_ends_on_error")  # shown on the field at fault
    assert "Autumn half-term: the year has six half-terms" in error.inner_text()
    assert_accessible(page, "term-dates-errors")
    for term in year.terms.all():
        label = term.get_name_display()
        middle = _weekday_in(term, 30)
        page.get_by_label(f"{label} 1 ends").fill(middle.isoformat())
        restart = middle + datetime.timedelta(days=7)
        page.get_by_label(f"{label} 2 starts").fill(restart.isoformat())
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live_server.url}/trusts/{world.trust_a.slug}/years/")
    assert page.get_by_text("Autumn 1 ends").first.is_visible()

    bank_holiday = _weekday_in(autumn, 10)
    page.get_by_role("link", name=f"Add a closure day to {year.label}").click()
    page.get_by_label("Date").fill(bank_holiday.isoformat())
    page.get_by_label("Reason").select_option("bank_holiday")
    assert_accessible(page, "closure-day-add")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live_server.url}/trusts/{world.trust_a.slug}/years/")
    assert_accessible(page, "academic-years-half-terms")

    head_page = browser.new_context(locale="en-GB").new_page()
    _login(head_page, live_server, world.user("headteacher"))
    head_page.goto(f"{live_server.url}/schools/{world.school_a1.pk}/")
    head_page.get_by_role("link", name="Term dates and closure days").click()
    assert head_page.get_by_text("follows the trust's term dates").is_visible()
    head_page.get_by_role("link", name="Use the school's own term dates").click()
    later = autumn.starts_on + datetime.timedelta(days=1)
    head_page.get_by_label("Autumn term starts").fill(later.isoformat())
    assert_accessible(head_page, "school-own-term-dates")
    head_page.get_by_role("button", name="Save").click()
    assert head_page.get_by_text("The school keeps its own term dates").is_visible()
    assert_accessible(head_page, "school-calendar")
    head_page.context.close()

    calendar = term_dates_for(world.school_a1, year)
    assert calendar.own_dates and calendar.terms[0].starts_on == later
    assert bank_holiday in calendar.closures  # the trust's bank holiday applies here too
