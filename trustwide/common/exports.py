"""File outputs shared by every app: PDF (WeasyPrint from an HTML template), Excel (openpyxl)
and CSV. Every spreadsheet cell and CSV field goes through the helpers here, so text a user typed
(a risk titled `=HYPERLINK(...)`) is always written as text, never as a live formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse
from django.template.loader import render_to_string

_pdf_renders = 0


def pdf_render_count() -> int:
    """PDFs rendered (WeasyPrint runs) by this process so far, for tests and benchmarks."""
    return _pdf_renders


def render_pdf(template_name: str, context: dict, *, request=None) -> bytes:
    """The one place WeasyPrint runs. Report templates (see common.pdfs) carry their stylesheet
    inline and are rendered without a request, so they fetch nothing."""
    global _pdf_renders
    from weasyprint import HTML

    html = render_to_string(template_name, context, request=request)
    pdf = HTML(
        string=html, base_url=request.build_absolute_uri("/") if request else None
    ).write_pdf()
    _pdf_renders += 1
    return pdf


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# Characters that make Excel, LibreOffice or Sheets read a cell as a formula (OWASP "CSV
# injection"): =, +, - and @ at the start, and a leading tab or carriage return.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def csv_safe(value):
    """A CSV field: text that a spreadsheet would run as a formula gets a leading apostrophe
    (OWASP's recommendation); numbers, dates and other text are unchanged."""
    return "'" + value if is_formula_like(value) else value


def build_csv(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """UTF-8 CSV with a byte-order mark (Excel opens it as UTF-8), every field csv_safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_safe(h) for h in header])
    for row in rows:
        writer.writerow([csv_safe(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def csv_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _as_text_if_formula_like(cell) -> None:
    """openpyxl stores a string starting with '=' as a formula: force it back to a text cell,
    with Excel's quote prefix so editing the cell does not turn it into a formula either."""
    if is_formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True


def build_xlsx(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]]) -> bytes:
    """sheets: (title, header row, rows). Header bold and frozen; columns sized to content."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append(list(header))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            _as_text_if_formula_like(cell)
        sheet.freeze_panes = "A2"
        widths = [len(str(h)) for h in header]
        for row in rows:
            row = list(row)
            sheet.append(row)
            for cell in sheet[sheet.max_row]:
                _as_text_if_formula_like(cell)
            for i, value in enumerate(row[: len(widths)]):
                widths[i] = min(60, max(widths[i], len(str(value)) if value is not None else 0))
        for i, width in enumerate(widths):
            sheet.column_dimensions[sheet.cell(row=1, column=i + 1).column_letter].width = width + 2
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def docx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
