"""Issue 14, defect 3: text a user typed is written to every spreadsheet export as text, never
as a live formula (OWASP CSV injection). Each export is downloaded as a trust leader would and
read back with openpyxl."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from trustwide.common.exports import build_csv, build_xlsx
from trustwide.planning.models import Action, Priority
from trustwide.planning.tests.test_pages import big_plan
from trustwide.policies import services as policy_services
from trustwide.risks import services as risk_services

pytestmark = pytest.mark.django_db

HOSTILE = ['=HYPERLINK("http://x","y")', "=1+1", "+1+1", "-2+3", "@SUM(A1)", "\t=1+1"]


def _cells(content: bytes):
    book = load_workbook(io.BytesIO(content))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            yield from row


def _assert_no_formula_and_text_kept(content: bytes, expected: list[str], label: str = "") -> None:
    cells = list(_cells(content))
    formulas = [(c.coordinate, c.value) for c in cells if c.data_type == "f"]
    assert not formulas, f"formula cells: {formulas}"
    values = {c.value for c in cells}
    missing = [text for text in expected if text not in values]
    assert not missing, f"{label}: user text not kept as text: {missing}"


def test_build_xlsx_writes_formula_like_text_as_text_and_keeps_numbers():
    content = build_xlsx(
        [
            (
                "S",
                ["=title"],
                [[text] for text in HOSTILE] + [[-5], [2.5], [datetime.date(2026, 1, 2)]],
            )
        ]
    )
    _assert_no_formula_and_text_kept(content, HOSTILE + ["=title"])
    numbers = [c.value for c in _cells(content) if c.data_type == "n"]
    assert -5 in numbers and 2.5 in numbers


def test_build_csv_prefixes_formula_like_text():
    text = build_csv(["Title", "n"], [[h, 3] for h in HOSTILE] + [["Plain", -4]]).decode(
        "utf-8-sig"
    )
    lines = text.splitlines()
    assert lines[1].startswith('"\'=HYPERLINK(""http://x"",""y"")",3')
    assert lines[2] == "'=1+1,3" and lines[-1] == "Plain,-4"


def test_every_export_writes_user_text_as_text(world, client):
    leader = world.user("trust_leader")
    head = world.user("headteacher")
    plan = big_plan(world.school_a1, priorities=1, actions=1, criteria=1)
    Priority.objects.filter(plan=plan).update(title=HOSTILE[0])
    Action.objects.filter(priority__plan=plan).update(what=HOSTILE[1])
    review_on = timezone.localdate() + datetime.timedelta(days=30)
    for title, school in ((HOSTILE[0], world.school_a1), (HOSTILE[1], None)):
        risk_services.risk_create(
            actor=leader if school is None else head,
            trust=world.trust_a,
            school=school,
            title=title,
            category="estates",
            inherent_likelihood=3,
            inherent_impact=3,
            residual_likelihood=2,
            residual_impact=2,
            review_on=review_on,
        )
        policy_services.policy_create(
            actor=leader if school is None else head,
            trust=world.trust_a,
            school=school,
            title=title,
            category="safeguarding",
            status="draft",
        )
    client.force_login(leader)
    downloads = {
        "plan.xlsx": reverse("planning:plan-xlsx", args=[plan.pk]),
        "school risks": reverse("risks:school-export", args=[world.school_a1.pk, "xlsx"]),
        "trust risks": reverse("risks:trust-export", args=[world.trust_a.slug, "xlsx"]),
        "school policies": reverse("policies:school-export", args=[world.school_a1.pk]),
        "trust policies": reverse("policies:trust-export", args=[world.trust_a.slug]),
    }
    for label, url in downloads.items():
        response = client.get(url)
        assert response.status_code == 200, label
        # The trust register shows trust rows (school risks only above the roll-up threshold).
        expected = {"plan.xlsx": HOSTILE[:2], "trust risks": HOSTILE[1:2]}.get(label, HOSTILE[:1])
        if label == "trust policies":
            expected = HOSTILE[:2]
        _assert_no_formula_and_text_kept(response.content, expected, label)
    for name in ("evaluation:trust-matrix-xlsx", "dashboards:board-report-xlsx"):
        response = client.get(reverse(name, args=[world.trust_a.slug]))
        assert response.status_code == 200, name
        assert not [c for c in _cells(response.content) if c.data_type == "f"], name
