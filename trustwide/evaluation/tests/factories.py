"""Test data for self-evaluation, written through the services (actor=None) like the demo."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from trustwide.evaluation import services
from trustwide.evaluation.models import Framework
from trustwide.trusts.models import AcademicYear

REPORT_CARD = "ofsted-report-card-2025"
EIF = "ofsted-eif-2019"
FOUR = "trust-four-characteristics"
TEN_WAYS = "trust-self-review-10-ways"

PDF_BYTES = b"%PDF-1.4\n% test evidence\n"


def framework(code: str = REPORT_CARD) -> Framework:
    return Framework.objects.get(trust__isnull=True, code=code, is_active=True)


def year_of(trust, start_year: int | None = None) -> AcademicYear:
    years = AcademicYear.objects.filter(trust=trust)
    return years.get(start_year=start_year) if start_year else years.get(is_current=True)


def make_sef(
    school,
    *,
    code: str = REPORT_CARD,
    year=None,
    grades: dict | None = None,
    grade: str = "",
    submit: bool = False,
    **texts,
):
    """A SEF with every area graded `grade` (or per `grades`), optionally submitted."""
    sef = services.sef_create(
        actor=None,
        school=school,
        academic_year=year or year_of(school.trust),
        framework=framework(code),
    )
    spec = sef.framework.spec
    for judgement in sef.judgements.all():
        scale = spec.scale_for(judgement.area_code)
        chosen = (grades or {}).get(judgement.area_code) or (
            grade if grade in {g.code for g in scale.grades} else ""
        )
        if not chosen and (grade or submit):
            chosen = (
                scale.grades[min(2, len(scale.grades) - 1)].code
                if scale.code != "safeguarding"
                else scale.grades[0].code
            )
        if chosen or texts:
            services.judgement_update(actor=None, judgement=judgement, grade_code=chosen, **texts)
    if submit:
        services.sef_submit(actor=None, sef=sef)
    return sef


def pdf_upload(name: str = "lesson-visits.pdf", content: bytes = PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def add_file_evidence(sef, area_code: str | None = None):
    area_code = area_code or sef.judgements.first().area_code
    return services.evidence_add(
        actor=None,
        sef=sef,
        kind="file",
        title="Lesson visit notes",
        areas=[area_code],
        file=pdf_upload(),
    )
