"""A new trust sets itself up in the browser: `trustwide createtrust`, then the administrator
imports the trust's schools from a GIAS-format file (preview, confirm) and adds a hub."""

import pytest
from django.core.management import call_command

from tests.browser.conftest import ARTIFACTS, assert_accessible
from trustwide.accounts.models import User
from trustwide.trusts.models import Hub, School, Trust
from trustwide.trusts.tests.gias_files import establishment, gias_bytes

pytestmark = pytest.mark.browser


def test_administrator_imports_schools_from_gias_and_adds_a_hub(live_server, page, db, tmp_path):
    call_command(
        "createtrust", "Oak Learning Trust", "--admin-email", "admin@oak.example", "--slug", "oak"
    )
    trust = Trust.objects.get(slug="oak")
    trust.mfa_policy = "off"  # two-step login has its own browser test
    trust.save()
    admin = User.objects.get(email="admin@oak.example")
    admin.set_password("a-long-browser-password")
    admin.save()
    gias_file = tmp_path / "edubasealldata20250422.csv"
    gias_file.write_bytes(
        gias_bytes(
            [
                establishment(149001, name="Ashgrove Primary Académie"),
                establishment(
                    149002,
                    name="Beech Secondary",
                    **{
                        "PhaseOfEducation (code)": "4",
                        "StatutoryLowAge": "11",
                        "StatutoryHighAge": "16",
                    },
                ),
                establishment(
                    149500,
                    name="Someone Else's School",
                    trust_code="9999",
                    trust_name="Other Trust",
                ),
            ]
        )
    )

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email address").fill("admin@oak.example")
    page.get_by_label("Password").fill("a-long-browser-password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/trusts/oak/")
    page.get_by_role("link", name="Import schools from GIAS").click()
    assert_accessible(page, "gias-import-upload")
    page.get_by_label("GIAS establishment data (CSV)").set_input_files(str(gias_file))
    page.get_by_label("GIAS trust code").fill("4015")
    page.get_by_role("button", name="Preview the import").click()
    preview = page.locator("#gias-preview")
    assert preview.get_by_text("Ashgrove Primary Académie").is_visible()
    assert preview.get_by_text("Beech Secondary").is_visible()
    assert page.get_by_text("Someone Else's School").count() == 0
    assert_accessible(page, "gias-import-preview")
    page.get_by_role("button", name="Confirm the import").click()
    page.wait_for_url(f"{live_server.url}/trusts/oak/")
    assert page.get_by_text("GIAS import done: 2 schools added").is_visible()
    assert page.get_by_role("link", name="Ashgrove Primary Académie").is_visible()

    page.get_by_role("link", name="Add a hub").click()
    page.get_by_label("Name").fill("North")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live_server.url}/trusts/oak/")
    assert page.get_by_role("link", name="North").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "gias-trust-after-import.png"), full_page=True)

    assert set(School.objects.filter(trust=trust).values_list("urn", flat=True)) == {149001, 149002}
    assert Hub.objects.filter(trust=trust, name="North").exists()
