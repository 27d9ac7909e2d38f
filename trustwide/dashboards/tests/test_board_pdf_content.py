"""The board report PDF is laid out for speed (dashboards/pdf/_board_body.html: flat tables, one
run of text per cell, no charts), but a board member must still read in it every figure,
rating and name the report computes: each is looked for in the PDF's text."""

import io

from django.urls import reverse

from trustwide.dashboards import pdfs
from trustwide.kpis.models import KpiTarget
from trustwide.planning.tests.factories import msp_rated_two_terms

from .helpers import current_start_year, kpi


def _squashed(text: str) -> str:
    """Text without whitespace: a cell's text may wrap anywhere in its column."""
    return "".join(text.split())


def _expected(context) -> list[str]:
    """Every figure, rating and name the board report's context holds for the PDF to show."""
    out = []
    dashboard = context["dashboard"]
    readings = [(row.readings, row) for row in dashboard.rows]
    readings.append((dashboard.trust_readings, None))
    for found, row in readings:
        if row is not None:
            out += [row.school.name, row.school.hub.name, row.school.get_phase_display()]
            out += [f"{p.label}: {p.word.lower()}" for p in row.completeness.problems]
        for k in dashboard.kpis:
            r = found.get(k.code)
            if r is None:
                continue
            out.append(r.display)
            if r.computed:
                out.append(r.n_label)
                if r.change is not None:
                    out.append(f"{'+' if r.change > 0 else ''}{r.change:.1f} on last year")
            if r.target_rating:
                out.append(f"tgt {r.target_rating.label}")
            if r.national_rating:
                out.append(f"nat {r.national_rating.label}")
    for chart in context["trend_charts"]:
        out += [chart.title, chart.summary, *chart.rows[0][1:]]
    for s in context["schools_of_concern"]:
        out += [s.school.name, *s.reasons]
    for c in context["trust_concerns"]:
        out += [c.title, c.kind_label, *c.evidence]
    for _kind, row in context["rollup_rows"]:
        p, change = row.priorities, row.priority_change
        out += [row.label, *(f"{p[c]} ({change[c]:+d})" for c in ("red", "amber", "green"))]
    for cell in context["msp_cells"]:
        out += [f"{cell.priority.code}: {cell.priority.title}", cell.change_label]
        out += [f"{d['school']}: {d['plan_kind'].upper()} priority" for d in cell.drivers]
    return out


def test_board_report_pdf_carries_every_figure_rating_and_name(world, login):
    from pypdf import PdfReader

    s = msp_rated_two_terms(world)
    year = current_start_year(world)
    KpiTarget.objects.create(
        trust=world.trust_a, academic_year=year, kpi_code="overall_absence", target=6.0
    )
    for code, a1, a2, trust in (
        ("overall_absence", 12.0, 5.0, 8.6),
        ("persistent_absence", 40.0, 15.0, 27.1),
    ):
        kpi(world, world.school_a1, code, a1, pupils=200)
        kpi(world, world.school_a2, code, a2, pupils=180)
        kpi(world, world.school_a1, code, a1 - 2.5, pupils=190, year=year - 1)
        kpi(world, world.school_a2, code, a2 + 1.5, pupils=170, year=year - 1)
        kpi(world, None, code, trust, level="trust", pupils=380)
        kpi(world, None, code, trust + 1.0, level="trust", pupils=360, year=year - 1)
    trustee = world.user("trustee")
    response = login(trustee).get(
        reverse("dashboards:board-report-pdf", kwargs={"slug": world.trust_a.slug}),
        {"term": s["spring"].pk},
    )
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)

    _template, context, _name = pdfs.board_report(
        trustee, trust=world.trust_a.pk, year=None, term=s["spring"].pk
    )
    expected = _expected(context)
    # The data above reach every part of the report: readings with change and both ratings,
    # the trust row and its trend, a school of concern, trust concerns, roll-up and MSP rows.
    assert {"A1 Primary", "A2 Primary", "12.0%", "8.6%", "+2.5 on last year", "tgt Red"} <= set(
        expected
    )
    assert "nat Red" in expected and "-1.0 on last year" in expected
    assert context["schools_of_concern"] and context["trust_concerns"]
    assert context["rollup_rows"] and context["msp_cells"] and context["trend_charts"]
    missing = [e for e in expected if _squashed(e) not in _squashed(text)]
    assert missing == []
    assert "B1 Primary" not in text  # another trust's school
