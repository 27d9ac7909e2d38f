"""The board report shows the strategic plan's RAG per priority, the school priorities driving
a red or amber, and the change since last term; in HTML, PDF and Excel."""

import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from trustwide.planning.tests.factories import msp_rated_two_terms


def test_board_report_shows_msp_rag_per_priority_with_drivers_and_change(world, login):
    s = msp_rated_two_terms(world)
    client = login(world.user("trustee"))
    url = reverse("dashboards:board-report", kwargs={"slug": world.trust_a.slug})
    html = client.get(url, {"term": s["spring"].pk}).content.decode()
    section = html[html.index('id="br-msp"') :]
    section = section[: section.index("</section>")]
    assert "MSP1: Removing disadvantage" in section
    assert "Amber" in section and "Improved from red" in section
    assert "A2 Primary" in section and "Reading at A2 Primary" in section
    assert "Reading at A1 Primary" not in section  # green: not a driver
    assert "MSP10: Robust policy framework" in section and "No change" in section
    autumn = client.get(url, {"term": s["autumn"].pk}).content.decode()
    autumn = autumn[autumn.index('id="br-msp"') :]
    assert "First rating" in autumn and "Red" in autumn


def test_board_report_pdf_and_excel_carry_the_msp_rag(world, login):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    s = msp_rated_two_terms(world)
    client = login(world.user("trustee"))
    slug = {"slug": world.trust_a.slug}
    pdf = client.get(reverse("dashboards:board-report-pdf", kwargs=slug), {"term": s["spring"].pk})
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Strategic plan (MSP) RAG" in text and "Improved from red" in text
    assert "Reading at A2 Primary" in text
    xlsx = client.get(
        reverse("dashboards:board-report-xlsx", kwargs=slug), {"term": s["spring"].pk}
    )
    sheet = load_workbook(io.BytesIO(xlsx.content))["MSP RAG"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:4] == ("MSP1: Removing disadvantage", "Amber", None, "Improved from red")
    assert "A2 Primary: SIP priority 1. Reading at A2 Primary (amber)" in rows[1][4]


def test_board_report_msp_rows_cost_a_fixed_number_of_queries(
    world, login, django_assert_max_num_queries
):
    from trustwide.planning.models import TrustPriority

    s = msp_rated_two_terms(world)
    client = login(world.user("trustee"))
    url = reverse("dashboards:board-report", kwargs={"slug": world.trust_a.slug})
    client.get(url, {"term": s["spring"].pk})  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"term": s["spring"].pk})
    plan = s["msp1"].strategic_plan
    for n in range(2, 9):
        TrustPriority.objects.create(
            strategic_plan=plan, number=n, code=f"MSP{n}", title=f"P{n}", theme="T"
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url, {"term": s["spring"].pk}).status_code == 200
