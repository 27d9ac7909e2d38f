"""Self-evaluation pages: accuracy on known cases, the trust matrix (bounded queries, htmx
filters), forms with field errors, exports read back, links and attention items."""

import datetime
import io

import pytest
from django.urls import reverse

from tests.world import grant, make_school, make_user, make_year
from trustwide.accounts.roles import Role
from trustwide.audit.models import AuditEvent
from trustwide.evaluation import selectors, services
from trustwide.evaluation.models import Evidence
from trustwide.trusts.services import inspection_record

from .factories import EIF, make_sef, year_of


def _known_case(world):
    """A1: every area 'expected standard' (rank 3), safeguarding met. Against it:
    inclusion agreed (d=0); achievement validated 'needs attention' (d=+1); curriculum agreed by a
    validator, then inspected 'Needs attention' later (latest wins: d=+1); attendance validated
    'strong standard' (d=-1); safeguarding inspected 'Met' (agreed, on its own scale). An EIF
    inspection the same year is another framework: ignored.
    Report-card scale: 4 compared, 1 agreed (25%), 2 more generous, 1 harsher, mean (0+1+1-1)/4 = 0.25."""
    year = year_of(world.trust_a)
    sef = make_sef(
        world.school_a1, grade="expected-standard", grades={"safeguarding": "met"}, submit=True
    )
    j = {x.area_code: x for x in sef.judgements.all()}
    on = year.starts_on
    record = services.validation_record
    record(actor=None, judgement=j["inclusion"], role="trust_leader", agrees=True, validated_on=on)
    record(
        actor=None,
        judgement=j["achievement"],
        role="peer_reviewer",
        agrees=False,
        grade_code="needs-attention",
        rationale="Writing weaker than judged",
        validated_on=on,
    )
    record(
        actor=None,
        judgement=j["curriculum-and-teaching"],
        role="trust_leader",
        agrees=True,
        validated_on=on,
    )
    record(
        actor=None,
        judgement=j["attendance-and-behaviour"],
        role="external",
        agrees=False,
        grade_code="strong-standard",
        rationale="Attendance well above national",
        validated_on=on,
    )
    inspection_record(
        actor=None,
        school=world.school_a1,
        framework="ofsted-report-card-2025",
        inspected_on=on + datetime.timedelta(days=1),
        grades={"curriculum-and-teaching": "Needs attention", "safeguarding": "Met"},
    )
    inspection_record(
        actor=None,
        school=world.school_a1,
        framework=EIF,
        inspected_on=on + datetime.timedelta(days=2),
        grades={"quality-of-education": "Good"},
    )
    return sef


def test_sef_accuracy_on_a_known_case(world):
    sef = _known_case(world)
    details = selectors.sef_with_details(user=world.user("trust_leader"), pk=sef.pk)
    [cards, safeguarding] = selectors.accuracy_by_scale(
        details.framework.spec, selectors.sef_pairs(details)
    )
    a = cards.accuracy
    assert (cards.scale, a.compared, a.agreed, a.over_generous, a.under_generous) == (
        "report-card",
        4,
        1,
        2,
        1,
    )
    assert (
        a.agreement_percent == 25.0
        and a.mean_signed_difference == 0.25
        and a.mean_absolute_difference == 0.75
    )
    assert (safeguarding.scale, safeguarding.accuracy.compared, safeguarding.accuracy.agreed) == (
        "safeguarding",
        1,
        1,
    )
    assert selectors.validated_grades(details)["curriculum-and-teaching"].source.startswith(
        "Inspection"
    )


def test_accuracy_shown_per_school_and_trust_wide(world, login):
    sef = _known_case(world)
    other = make_sef(world.school_a2, grade="strong-standard", submit=True)
    for area in ("inclusion", "achievement"):
        services.validation_record(
            actor=None,
            judgement=other.judgements.get(area_code=area),
            role="trust_leader",
            agrees=True,
        )
    client = login(world.user("trust_leader"))
    page = client.get(reverse("evaluation:sef-detail", kwargs={"pk": sef.pk})).content.decode()
    assert "1 (25%)" in page and "Report card 5-point scale" in page
    matrix = client.get(
        reverse("evaluation:trust-matrix", kwargs={"slug": world.trust_a.slug})
    ).content.decode()
    assert "25% agreed" in matrix and "100% agreed" in matrix
    # Trust-wide, pooled: 6 compared (4 + 2), 3 agreed = 50%.
    assert '<td class="num">6</td><td class="num">3 (50%)</td>' in matrix


def _grow_trust(world, count=25):
    last = make_year(world.trust_a, year_of(world.trust_a).start_year - 1, current=False)
    for i in range(count):
        school = make_school(
            world.trust_a,
            world.hub_1 if i % 2 else world.hub_2,
            name=f"Extra {i:02d}",
            phase="secondary" if i % 5 == 0 else "primary",
        )
        inspection_record(
            actor=None,
            school=school,
            framework="ofsted-report-card-2025",
            inspected_on=last.starts_on
            + datetime.timedelta(days=90),  # report cards began 10/11/2025
            grades={"inclusion": "Expected standard"},
        )
        prev = make_sef(school, year=last, grade="needs-attention", submit=True)
        services.validation_record(
            actor=None,
            judgement=prev.judgements.get(area_code="inclusion"),
            role="trust_leader",
            agrees=True,
            validated_on=last.ends_on,
        )
        now = services.sef_start_next_year(actor=None, sef=prev)
        services.judgement_set(
            actor=None,
            sef=now,
            area_code="inclusion",
            grade_code="strong-standard" if i % 3 else "urgent-improvement",
            areas_for_development="Persistent absence of disadvantaged pupils\nReading fluency",
        )


# Measured when written: 18 queries for the matrix and the themes, 17 for the Excel file, the
# same with 3 schools as with 28 (session, user, memberships, trust, years, frameworks, hubs,
# schools, inspections, SEFs, judgements, validations, navigation, session save).
MATRIX_MAX_QUERIES = 18


@pytest.mark.parametrize(
    "name", ["evaluation:trust-matrix", "evaluation:trust-themes", "evaluation:trust-matrix-xlsx"]
)
def test_trust_pages_have_bounded_query_counts(world, client, django_assert_max_num_queries, name):
    _grow_trust(world)
    client.force_login(world.user("trust_leader"))
    with django_assert_max_num_queries(MATRIX_MAX_QUERIES):
        response = client.get(reverse(name, kwargs={"slug": world.trust_a.slug}))
    assert response.status_code == 200


def test_trust_matrix_shows_grades_changes_and_filters_with_htmx(world, login):
    _grow_trust(world, count=6)
    client = login(world.user("trust_leader"))
    url = reverse("evaluation:trust-matrix", kwargs={"slug": world.trust_a.slug})
    body = client.get(url).content.decode()
    # Colour and label together; arrows with words for the change against last year.
    assert 'style="background:#1d70b8;color:#ffffff">Strong standard</span>' in body
    assert "up from Needs attention" in body and "down from Needs attention" in body
    assert (
        "above inspection (Expected standard)" in body
        and "below inspection (Expected standard)" in body
    )
    partial = client.get(
        url, {"hub": world.hub_1.pk}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "<html" not in partial and "Extra 01" in partial and "Extra 00" not in partial
    secondary = client.get(url, {"phase": "secondary"}).content.decode()
    assert "Extra 05" in secondary and "Extra 01" not in secondary and "<html" in secondary


def test_hub_leader_sees_only_the_hub_in_the_matrix(world, login):
    _grow_trust(world, count=4)
    body = (
        login(world.user("executive_headteacher"))
        .get(reverse("evaluation:trust-matrix", kwargs={"slug": world.trust_a.slug}))
        .content.decode()
    )
    assert "Extra 01" in body and "Extra 00" not in body and "A2 Primary" not in body


def test_themes_group_areas_for_development_and_find_common_phrases(world, login):
    _grow_trust(world, count=3)
    body = (
        login(world.user("trustee"))
        .get(reverse("evaluation:trust-themes", kwargs={"slug": world.trust_a.slug}))
        .content.decode()
    )
    assert "Inclusion" in body and "(3 schools)" in body
    assert "“persistent absence” (3 schools)" in body and "<li>Reading fluency</li>" in body


# --------------------------------------------------------------------------- forms


def test_judgement_form_shows_the_grade_error_and_saves_nothing(world, login):
    sef = make_sef(world.school_a1)
    client = login(world.user("headteacher"))
    url = reverse("evaluation:judgement-edit", kwargs={"pk": sef.pk, "area": "inclusion"})
    assert client.get(url).status_code == 200
    events = AuditEvent.objects.count()
    response = client.post(url, {"grade_code": "good", "summary": "We are good"})
    assert response.status_code == 400
    body = response.content.decode()
    assert (
        "There is a problem" in body
        and "good is not a grade of the Report card 5-point scale" in body
    )
    assert (
        AuditEvent.objects.count() == events
        and sef.judgements.get(area_code="inclusion").summary == ""
    )
    ok = client.post(
        url, {"grade_code": "strong-standard", "summary": "We are strong", "strengths": "A\nB"}
    )
    assert ok.status_code == 302
    assert sef.judgements.get(area_code="inclusion").grade_code == "strong-standard"


def test_unknown_area_in_the_url_is_404(world, login):
    sef = make_sef(world.school_a1)
    client = login(world.user("headteacher"))
    assert (
        client.get(
            reverse("evaluation:judgement-edit", kwargs={"pk": sef.pk, "area": "sixth-form"})
        ).status_code
        == 404
    )


def test_evidence_upload_errors_are_shown_and_nothing_saved(world, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    sef = make_sef(world.school_a1)
    client = login(world.user("headteacher"))
    url = reverse("evaluation:evidence-create", kwargs={"pk": sef.pk})
    big = SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * (10 * 1024 * 1024 + 1))
    response = client.post(
        url, {"kind": "file", "title": "Big", "areas": ["inclusion"], "file": big}
    )
    assert (
        response.status_code == 400 and "the largest allowed is 10 MB" in response.content.decode()
    )
    exe = SimpleUploadedFile("run.exe", b"MZ")
    response = client.post(
        url, {"kind": "file", "title": "Exe", "areas": ["inclusion"], "file": exe}
    )
    assert (
        response.status_code == 400
        and "Files of type .exe are not allowed" in response.content.decode()
    )
    response = client.post(
        url, {"kind": "text", "title": "Wrong area", "text": "x", "areas": ["sixth-form"]}
    )
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    assert not Evidence.objects.exists()
    ok = client.post(
        url,
        {
            "kind": "file",
            "title": "Notes",
            "areas": ["inclusion"],
            "file": SimpleUploadedFile("notes.csv", b"pupil,score\n1,2\n"),
        },
    )
    assert ok.status_code == 302
    evidence = Evidence.objects.get()
    download = client.get(reverse("evaluation:evidence-file", kwargs={"pk": evidence.pk}))
    assert (
        download.status_code == 200
        and b"".join(download.streaming_content) == b"pupil,score\n1,2\n"
    )


def test_validation_form_records_a_different_grade(world, login):
    sef = make_sef(world.school_a1, submit=True)
    client = login(world.user("peer_reviewer"))
    url = reverse("evaluation:validation-create", kwargs={"pk": sef.pk, "area": "achievement"})
    bad = client.post(
        url,
        {
            "role": "peer_reviewer",
            "verdict": "different",
            "grade_code": "needs-attention",
            "validated_on": "2026-01-01",
        },
    )
    assert (
        bad.status_code == 400 and "Explain why you give a different grade." in bad.content.decode()
    )
    ok = client.post(
        url,
        {
            "role": "peer_reviewer",
            "verdict": "different",
            "grade_code": "needs-attention",
            "rationale": "Books show gaps",
            "validated_on": year_of(world.trust_a).starts_on.isoformat(),
        },
    )
    assert ok.status_code == 302
    page = client.get(reverse("evaluation:sef-detail", kwargs={"pk": sef.pk})).content.decode()
    assert "would grade" in page and "Books show gaps" in page


def test_status_buttons_follow_the_workflow(world, login):
    sef = make_sef(world.school_a1, grade="expected-standard")
    head = login(world.user("headteacher"))
    head.post(reverse("evaluation:sef-submit", kwargs={"pk": sef.pk}))
    sef.refresh_from_db()
    assert sef.status == "submitted"
    leader = login(world.user("trust_leader"))
    leader.post(reverse("evaluation:sef-validate", kwargs={"pk": sef.pk}))
    sef.refresh_from_db()
    assert sef.status == "validated" and sef.validated_by == world.user("trust_leader")
    history = leader.get(reverse("evaluation:sef-history", kwargs={"pk": sef.pk})).content.decode()
    assert "validate SEF A1 Primary" in history and "submit SEF A1 Primary" in history
    assert (
        "update inclusion in SEF A1 Primary" in history
    )  # judgement changes are in the same history


def test_framework_copy_and_edit_pages(world, login):
    from .factories import FOUR, framework

    client = login(world.user("trust_leader"))
    copy_url = reverse(
        "evaluation:framework-copy", kwargs={"slug": world.trust_a.slug, "pk": framework(FOUR).pk}
    )
    response = client.post(copy_url, {"name": "Our four", "code": "our-four"})
    assert response.status_code == 302
    edit_url = response["Location"]
    form = client.get(edit_url)
    assert (
        form.status_code == 200
        and "Inspirational leadership and management" in form.content.decode()
    )
    from trustwide.evaluation.models import Framework

    ours = Framework.objects.get(trust=world.trust_a, code="our-four")
    data = {"name": "Our four, edited"}
    for area in ours.spec.all_areas():
        data[f"name__{area.code}"] = area.name
        data[f"description__{area.code}"] = area.description
        data[f"prompts__{area.code}"] = "\n".join(area.prompts)
    data["name__teaching"] = ""
    bad = client.post(edit_url, data)
    assert bad.status_code == 400 and "This field is required." in bad.content.decode()
    data["name__teaching"] = "Teaching that inspires"
    assert client.post(edit_url, data).status_code == 302
    ours.refresh_from_db()
    assert (
        ours.name == "Our four, edited"
        and ours.spec.area("teaching").name == "Teaching that inspires"
    )


# --------------------------------------------------------------------------- exports


def _export_sef(world):
    sef = make_sef(
        world.school_a1,
        grade="strong-standard",
        grades={"safeguarding": "met"},
        summary="Our curriculum is ambitious for every pupil.",
        areas_for_development="Reading fluency in key stage 2",
    )
    services.judgement_set(
        actor=None, sef=sef, area_code="achievement", grade_code="needs-attention"
    )
    return sef


def test_sef_pdf_contains_the_grades_and_text(world, login):
    from pypdf import PdfReader

    sef = _export_sef(world)
    response = login(world.user("local_governor")).get(
        reverse("evaluation:sef-pdf", kwargs={"pk": sef.pk})
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    assert "A1 Primary" in text and "Strong standard" in text and "Needs attention" in text
    assert (
        "Our curriculum is ambitious for every pupil." in text
        and "Reading fluency in key stage 2" in text
    )


def test_sef_docx_contains_the_grades_and_text(world, login):
    from docx import Document

    sef = _export_sef(world)
    response = login(world.user("headteacher")).get(
        reverse("evaluation:sef-docx", kwargs={"pk": sef.pk})
    )
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    cells = [[c.text for c in row.cells] for row in document.tables[0].rows]
    assert "Self-evaluation: A1 Primary" in paragraphs
    assert ["Achievement", "Needs attention", "–", "–"] in cells and [
        "Inclusion",
        "Strong standard",
        "–",
        "–",
    ] in cells
    assert (
        "Our curriculum is ambitious for every pupil." in paragraphs
        and "Reading fluency in key stage 2" in paragraphs
    )


def test_trust_matrix_xlsx_contains_the_grades(world, login):
    from openpyxl import load_workbook

    _export_sef(world)
    response = login(world.user("trust_leader")).get(
        reverse("evaluation:trust-matrix-xlsx", kwargs={"slug": world.trust_a.slug})
    )
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header, a1 = rows[0], next(r for r in rows if r[0] == "A1 Primary")
    assert (
        a1[header.index("Inclusion")] == "Strong standard"
        and a1[header.index("Achievement")] == "Needs attention"
    )
    assert a1[header.index("Sixth form")] == "n/a"
    assert any(r[0] == "A2 Primary" and r[3] == "No SEF" for r in rows)
    themes = [[c.value for c in row] for row in workbook["Areas for development"].iter_rows()]
    assert [
        "Inclusion",
        "A1 Primary",
        "Strong standard",
        "Reading fluency in key stage 2",
    ] in themes


# --------------------------------------------------------------------------- links and attention


def test_links_from_trust_and_school_pages_only_for_readers(world, login):
    client = login(world.user("trust_leader"))
    body = client.get(
        reverse("trusts:school-detail", kwargs={"pk": world.school_a1.pk})
    ).content.decode()
    assert reverse("evaluation:school-sefs", kwargs={"pk": world.school_a1.pk}) in body
    body = client.get(
        reverse("trusts:trust-detail", kwargs={"slug": world.trust_a.slug})
    ).content.decode()
    assert "Self-evaluation across schools" in body and "Trust self-review" in body
    teacher = login(world.user("teacher"))
    body = teacher.get(
        reverse("trusts:school-detail", kwargs={"pk": world.school_a1.pk})
    ).content.decode()
    assert "Self-evaluation (SEF)" not in body
    body = (
        login(world.user("headteacher"))
        .get(reverse("trusts:trust-detail", kwargs={"slug": world.trust_a.slug}))
        .content.decode()
    )
    assert "Self-evaluation across schools" not in body and "Evaluation frameworks" in body


def test_attention_items(world, login):
    from trustwide.evaluation.attention import items

    make_sef(world.school_a1)  # a draft this year
    make_sef(world.school_a2, submit=True)
    assert [i.title for i in items(world.user("headteacher"))] == [
        "Draft SEF to finish and submit: A1 Primary"
    ]
    assert [i.title for i in items(world.user("trust_leader"))] == [
        "SEF awaiting validation: A2 Primary"
    ]
    assert items(world.user("local_governor")) == []
    home = login(world.user("trust_leader")).get(reverse("accounts:home")).content.decode()
    assert "SEF awaiting validation: A2 Primary" in home


def test_peer_reviewer_reads_only_the_school_they_review(world, login):
    reviewer = make_user("reviewer_of_a2")
    grant(
        reviewer,
        Role.PEER_REVIEWER,
        trust=world.trust_a,
        school=world.school_a2,
        ends_on=datetime.date.today() + datetime.timedelta(days=20),
    )
    a1, a2 = make_sef(world.school_a1, submit=True), make_sef(world.school_a2, submit=True)
    client = login(reviewer)
    assert client.get(reverse("evaluation:sef-detail", kwargs={"pk": a2.pk})).status_code == 200
    assert client.get(reverse("evaluation:sef-detail", kwargs={"pk": a1.pk})).status_code == 404
