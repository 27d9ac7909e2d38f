"""A school's SEF as PDF (HTML print template) and Word; the trust matrix as Excel."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.text import slugify

from trustwide.common.exports import build_xlsx

from . import selectors


def sef_filename(sef, extension: str) -> str:
    return f"sef-{slugify(sef.school.name)}-{sef.academic_year.label.replace('/', '-')}.{extension}"


def sef_export_context(sef) -> dict:
    """What every export of a SEF shows (the SEF must come from selectors.sef_with_details)."""
    spec = sef.framework.spec
    previous = selectors.previous_sef(sef)
    return {
        "sef": sef,
        "school": sef.school,
        "spec": spec,
        "blocks": selectors.sef_area_blocks(sef, previous),
        "previous": previous,
        "accuracy": selectors.accuracy_by_scale(spec, selectors.sef_pairs(sef)),
        "evidence": list(sef.evidence.all()),
        "generated_on": timezone.localdate(),
    }


def _lines(text: str) -> list[str]:
    return [line.strip(" -•*\t") for line in (text or "").splitlines() if line.strip(" -•*\t")]


def _shade(cell, colour: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour.lstrip("#"))
    cell._tc.get_or_add_tcPr().append(shading)


def sef_docx(context: dict) -> bytes:
    from docx import Document
    from docx.shared import Pt, RGBColor

    sef, school, spec = context["sef"], context["school"], context["spec"]
    document = Document()
    document.styles["Normal"].font.size = Pt(10.5)
    document.add_heading(f"Self-evaluation: {school.name}", level=0)
    document.add_paragraph(
        f"{spec.name}, academic year {sef.academic_year.label}. Status: {sef.get_status_display()}. "
        f"URN {school.urn}. Exported {context['generated_on']:%d/%m/%Y}."
    )

    document.add_heading("Grades at a glance", level=1)
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells, ("Area", "Our grade", "Last year", "Validated grade"), strict=True
    ):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for block in context["blocks"]:
        row = table.add_row().cells
        row[0].text = block.area.name
        if block.grade:
            row[1].text = block.grade.label
            _shade(row[1], block.grade.colour)
            run = row[1].paragraphs[0].runs[0]
            run.bold = True
            run.font.color.rgb = RGBColor.from_string(block.grade.text_colour.lstrip("#").upper())
        else:
            row[1].text = "Not graded"
        row[2].text = block.previous.label if block.previous else "–"
        row[3].text = (
            f"{block.validated.label} ({block.validated_source})" if block.validated else "–"
        )

    if context["accuracy"]:
        document.add_heading("Accuracy of self-evaluation", level=1)
        for item in context["accuracy"]:
            a = item.accuracy
            document.add_paragraph(
                f"{item.scale_name}: {a.agreed} of {a.compared} areas agreed ({a.agreement_percent:.0f}%); "
                f"{a.over_generous} graded more generously than validated, {a.under_generous} more harshly; "
                f"mean difference {a.mean_signed_difference:+.2f} grades."
            )

    for block in context["blocks"]:
        j = block.judgement
        document.add_heading(block.area.name, level=1)
        document.add_paragraph(f"Grade: {block.grade.label if block.grade else 'not graded'}")
        sections = [
            ("Evaluative summary", j.summary, False),
            ("Strengths", j.strengths, True),
            ("Areas for development", j.areas_for_development, True),
        ]
        field_labels = {f.code: f.label for f in spec.fields}
        for code in ("current_position", "actions"):
            if code in field_labels:
                sections.append((field_labels[code], getattr(j, code), False))
        for title, text, bullets in sections:
            if not text.strip():
                continue
            document.add_heading(title, level=2)
            if bullets:
                for line in _lines(text):
                    document.add_paragraph(line, style="List Bullet")
            else:
                for paragraph in text.split("\n\n"):
                    document.add_paragraph(paragraph.strip())
        if block.validations:
            document.add_heading("Validation", level=2)
            for v in block.validations:
                verdict = (
                    "agrees" if v.agrees else f"grades {v.grade.label if v.grade else v.grade_code}"
                )
                document.add_paragraph(
                    f"{v.validator_name}, {v.get_role_display()}, {v.validated_on:%d/%m/%Y}: {verdict}."
                    + (f" {v.rationale}" if v.rationale else ""),
                    style="List Bullet",
                )
        if block.evidence:
            document.add_heading("Evidence", level=2)
            for e in block.evidence:
                detail = e.url or e.file_name or e.text[:200]
                document.add_paragraph(f"{e.title}: {detail}", style="List Bullet")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def matrix_xlsx(matrix, themes) -> bytes:
    areas = matrix.areas
    year = matrix.year.label if matrix.year else ""
    previous = matrix.previous_year.label if matrix.previous_year else "last year"
    header = ["School", "Hub", "Phase", "SEF status"]
    for area in areas:
        header += [area.name, f"{area.name}: change vs {previous}"]
    header += ["Accuracy (% agreed)", "Areas compared"]
    rows = []
    for row in matrix.rows:
        values = [
            row.school.name,
            row.school.hub.name if row.school.hub else "",
            row.school.get_phase_display(),
            row.sef.get_status_display() if row.sef else "No SEF",
        ]
        for cell in row.cells:
            if not cell.applies:
                values += ["n/a", ""]
                continue
            values.append(cell.grade.label if cell.grade else "")
            values.append(_change_text(cell.change, cell.previous))
        acc = row.accuracy
        values += [round(acc.agreement_percent) if acc else None, acc.compared if acc else 0]
        rows.append(values)
    theme_rows = [
        (theme.area.name, entry.school.name, entry.grade.label if entry.grade else "", item)
        for theme in themes
        for entry in theme.entries
        for item in entry.items
    ]
    accuracy_rows = [
        (
            item.scale_name,
            item.accuracy.compared,
            item.accuracy.agreed,
            item.accuracy.over_generous,
            item.accuracy.under_generous,
            round(item.accuracy.agreement_percent, 1),
            round(item.accuracy.mean_signed_difference, 2),
        )
        for item in matrix.accuracy
    ]
    title = matrix.framework.name if matrix.framework else "Self-evaluation"
    return build_xlsx(
        [
            (f"SEF matrix {year}".replace("/", "-"), header, rows),
            (
                "Areas for development",
                ["Area", "School", "Grade", "Area for development"],
                theme_rows,
            ),
            (
                "Accuracy",
                [
                    "Scale",
                    "Areas compared",
                    "Agreed",
                    "More generous",
                    "Harsher",
                    "% agreed",
                    "Mean difference (grades)",
                ],
                accuracy_rows,
            ),
            (
                "About",
                ["Field", "Value"],
                [
                    ("Trust", matrix.trust.name),
                    ("Framework", title),
                    ("Academic year", year),
                    ("Exported", timezone.localdate().strftime("%d/%m/%Y")),
                ],
            ),
        ]
    )


def _change_text(change: int | None, previous) -> str:
    if change is None:
        return ""
    if change > 0:
        return f"up {change} (was {previous.label})"
    if change < 0:
        return f"down {-change} (was {previous.label})"
    return "same"
