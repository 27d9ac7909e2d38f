"""A data manager uploads a Common Transfer File on the import page in a real browser."""

from pathlib import Path

import pytest

from tests.browser.conftest import assert_accessible
from tests.world import make_year

pytestmark = pytest.mark.browser

CTF = Path(__file__).resolve().parents[2] / "trustwide" / "data" / "tests" / "ctf" / "ctf25.xml"


def test_data_manager_uploads_a_ctf_and_sees_it_stored_then_a_bad_one_refused(
    live_server, page, world
):
    manager = world.user("school_data_manager")
    manager.set_password("a-long-browser-password")
    manager.save()
    make_year(world.trust_a, 2024, current=False)
    content = CTF.read_bytes().replace(b"137001", str(world.school_a1.urn).encode())

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email address").fill(manager.email)
    page.get_by_label("Password").fill("a-long-browser-password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/trusts/{world.trust_a.slug}/imports/upload/")
    assert_accessible(page, "import-upload-ctf")
    page.get_by_label("Common Transfer Files").set_input_files(
        [{"name": "brookside.xml", "mimeType": "application/xml", "buffer": content}]
    )
    page.get_by_role("button", name="Check and import CTFs").click()
    page.wait_for_url(f"{live_server.url}/imports/*/")
    page.get_by_text("Stored", exact=True).wait_for()
    assert page.get_by_text("Common Transfer File (CTF)").is_visible()
    assert page.get_by_text("29 rows stored").is_visible()

    # A file from another school is refused on the page, naming the file and the school.
    page.goto(f"{live_server.url}/trusts/{world.trust_a.slug}/imports/upload/")
    other = content.replace(str(world.school_a1.urn).encode(), str(world.school_a2.urn).encode())
    page.get_by_label("Common Transfer Files").set_input_files(
        [{"name": "other.xml", "mimeType": "application/xml", "buffer": other}]
    )
    page.get_by_role("button", name="Check and import CTFs").click()
    assert page.get_by_text(
        f"other.xml: Header/SourceSchool/URN {world.school_a2.urn}"
    ).first.is_visible()
    assert_accessible(page, "import-upload-ctf-refused")
