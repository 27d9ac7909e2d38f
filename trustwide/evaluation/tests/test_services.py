"""Self-evaluation services: permission, validation with field-named messages, audit."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.world import make_school, make_year
from trustwide.audit.models import AuditEvent
from trustwide.evaluation import services
from trustwide.evaluation.models import (
    AreaJudgement,
    Evidence,
    Framework,
    SelfEvaluation,
    Validation,
)

from .factories import EIF, FOUR, REPORT_CARD, TEN_WAYS, framework, make_sef, pdf_upload, year_of


def events(instance):
    return list(
        AuditEvent.objects.filter(
            object_type=instance._meta.label_lower, object_id=str(instance.pk)
        )
    )


def test_sef_create_has_one_judgement_per_applicable_area_and_is_audited(world):
    head = world.user("headteacher")
    sef = services.sef_create(
        actor=head,
        school=world.school_a1,
        academic_year=year_of(world.trust_a),
        framework=framework(REPORT_CARD),
    )
    codes = list(sef.judgements.values_list("area_code", flat=True))
    assert "early-years" in codes and "sixth-form" not in codes  # A1: primary with early years
    assert codes[0] == "inclusion" and codes[-1] == "safeguarding"
    [event] = events(sef)
    assert event.action == "create" and event.actor == head
    assert (event.trust_id, event.school_id) == (world.trust_a.pk, world.school_a1.pk)
    assert AuditEvent.objects.filter(object_type="evaluation.areajudgement").count() == len(codes)

    secondary = make_school(
        world.trust_a, world.hub_1, phase="secondary", has_early_years=False, has_sixth_form=True
    )
    codes = set(make_sef(secondary).judgements.values_list("area_code", flat=True))
    assert "sixth-form" in codes and "early-years" not in codes


@pytest.mark.parametrize("role", ["trust_leader", "governor", "teacher", "peer_reviewer"])
def test_only_school_leaders_start_a_sef(world, role):
    role = {"governor": "local_governor"}.get(role, role)
    with pytest.raises(PermissionDenied):
        services.sef_create(
            actor=world.user(role),
            school=world.school_a1,
            academic_year=year_of(world.trust_a),
            framework=framework(),
        )
    assert not SelfEvaluation.objects.exists()


def test_head_cannot_start_a_sef_for_another_school(world):
    with pytest.raises(PermissionDenied):
        services.sef_create(
            actor=world.user("headteacher"),
            school=world.school_a2,
            academic_year=year_of(world.trust_a),
            framework=framework(),
        )


def test_one_sef_per_school_year_and_framework(world):
    make_sef(world.school_a1)
    with pytest.raises(ValidationError) as caught:
        make_sef(world.school_a1)
    assert "already has a Ofsted report card framework (2025) self-evaluation" in str(
        caught.value.message_dict["academic_year"]
    )


def test_self_review_framework_cannot_grade_a_school(world):
    with pytest.raises(ValidationError) as caught:
        make_sef(world.school_a1, code=TEN_WAYS)
    assert "grades the trust, not a school" in caught.value.message_dict["framework"][0]


def test_unknown_grade_is_refused_with_the_field_named_and_nothing_saved(world):
    sef = make_sef(world.school_a1)
    judgement = sef.judgements.get(area_code="inclusion")
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.judgement_update(
            actor=world.user("headteacher"),
            judgement=judgement,
            grade_code="good",
            summary="Changed",
        )
    assert caught.value.message_dict["grade_code"] == [
        "'good' is not a grade of the Report card 5-point scale (expected one of: Exceptional, Strong standard, "
        "Expected standard, Needs attention, Urgent improvement)."
    ]
    judgement.refresh_from_db()
    assert (judgement.grade_code, judgement.summary) == ("", "")
    assert AuditEvent.objects.count() == before
    # Safeguarding uses its own scale: a report-card grade is not one of its grades.
    with pytest.raises(ValidationError, match="not a grade of the Safeguarding standards"):
        services.judgement_set(
            actor=None, sef=sef, area_code="safeguarding", grade_code="expected-standard"
        )


def test_judgement_update_records_before_and_after(world):
    sef = make_sef(world.school_a1)
    judgement = sef.judgements.get(area_code="achievement")
    services.judgement_update(
        actor=world.user("senior_leader"),
        judgement=judgement,
        grade_code="strong-standard",
        areas_for_development="Writing at greater depth",
    )
    [event] = [e for e in events(judgement) if e.action == "update"]
    assert event.before["grade_code"] == "" and event.after["grade_code"] == "strong-standard"
    assert event.after["areas_for_development"] == "Writing at greater depth"


def test_area_not_in_framework_or_not_applying_is_refused(world):
    sef = make_sef(world.school_a1)
    with pytest.raises(ValidationError) as caught:
        services.judgement_set(
            actor=None, sef=sef, area_code="quality-of-education", grade_code="exceptional"
        )
    message = caught.value.message_dict["area_code"][0]
    assert message.startswith(
        "'quality-of-education' is not an area of Ofsted report card framework (2025)"
    )
    with pytest.raises(ValidationError) as caught:
        services.judgement_set(
            actor=None, sef=sef, area_code="sixth-form", grade_code="exceptional"
        )
    assert caught.value.message_dict["area_code"] == [
        "Sixth form applies only where the school has a sixth form; A1 Primary has none."
    ]


def test_submit_needs_every_area_graded_then_locks_editing(world):
    head = world.user("headteacher")
    sef = make_sef(world.school_a1, code=FOUR)
    with pytest.raises(
        ValidationError, match="not yet graded: Inspirational leadership and management"
    ):
        services.sef_submit(actor=head, sef=sef)
    for judgement in sef.judgements.all():
        services.judgement_update(actor=head, judgement=judgement, grade_code="secure")
    services.sef_submit(actor=head, sef=sef)
    assert sef.status == "submitted" and sef.submitted_by == head
    assert [e.action for e in events(sef)][0] == "submit"
    with pytest.raises(ValidationError, match="return it to draft before editing"):
        services.judgement_update(actor=head, judgement=sef.judgements.first(), grade_code="weak")
    with pytest.raises(PermissionDenied):
        services.sef_validate(actor=head, sef=sef)
    services.sef_validate(actor=world.user("trust_leader"), sef=sef)
    assert sef.status == "validated"
    with pytest.raises(PermissionDenied):  # the school may not reopen a validated SEF
        services.sef_reopen(actor=head, sef=sef)
    services.sef_reopen(actor=world.user("trust_leader"), sef=sef)
    assert sef.status == "draft"
    assert [e.action for e in events(sef)][:3] == ["reopen", "validate", "submit"]


def test_start_next_year_from_this_year(world):
    last_year = make_year(world.trust_a, year_of(world.trust_a).start_year - 1, current=False)
    old = make_sef(
        world.school_a1,
        year=last_year,
        grade="strong-standard",
        areas_for_development="Reading fluency in key stage 2",
    )
    new = services.sef_start_next_year(actor=world.user("headteacher"), sef=old)
    assert (
        new.academic_year == year_of(world.trust_a)
        and new.started_from == old
        and new.status == "draft"
    )
    judgement = new.judgements.get(area_code="inclusion")
    assert judgement.grade_code == "strong-standard"
    assert judgement.areas_for_development == "Reading fluency in key stage 2"
    with pytest.raises(ValidationError, match="is not set up yet"):
        services.sef_start_next_year(actor=world.user("headteacher"), sef=new)


def test_start_from_another_framework_copies_text_not_grades(world):
    last_year = make_year(world.trust_a, year_of(world.trust_a).start_year - 1, current=False)
    old = make_sef(
        world.school_a1,
        code=EIF,
        year=last_year,
        grade="good",
        summary="Strong safeguarding culture",
    )
    new = services.sef_create(
        actor=None,
        school=world.school_a1,
        academic_year=year_of(world.trust_a),
        framework=framework(REPORT_CARD),
        start_from=old,
    )
    safeguarding = new.judgements.get(area_code="safeguarding")
    assert safeguarding.summary == "Strong safeguarding culture" and safeguarding.grade_code == ""


# --------------------------------------------------------------------------- evidence


def test_evidence_file_is_stored_and_audited(world, django_capture_on_commit_callbacks):
    sef = make_sef(world.school_a1)
    evidence = services.evidence_add(
        actor=world.user("headteacher"),
        sef=sef,
        kind="file",
        title="Visit notes",
        areas=["inclusion", "achievement"],
        file=pdf_upload(),
    )
    assert (
        evidence.file_size == len(b"%PDF-1.4\n% test evidence\n")
        and evidence.file_name == "lesson-visits.pdf"
    )
    assert evidence.file.storage.exists(evidence.file.name)
    [event] = events(evidence)
    assert event.after["areas"] == ["inclusion", "achievement"]
    stored, storage = evidence.file.name, evidence.file.storage
    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_delete(actor=world.user("headteacher"), evidence=evidence)
    assert not Evidence.objects.exists()
    assert AuditEvent.objects.filter(object_type="evaluation.evidence", action="delete").exists()
    assert not storage.exists(stored)  # the file goes once the deletion commits


@pytest.mark.parametrize(
    "upload,message",
    [
        (
            SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * (10 * 1024 * 1024)),
            "The file is 10.0 MB; the largest allowed is 10 MB.",
        ),
        (
            SimpleUploadedFile("tool.exe", b"MZ\x90\x00"),
            "Files of type .exe are not allowed (allowed: pdf, docx, xlsx, pptx, jpg, jpeg, png, csv, txt).",
        ),
        (
            SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf"),
            "The file's content is not a .pdf file.",
        ),
        (SimpleUploadedFile("notes.txt", b"abc\x00def"), "A .txt file must be plain text."),
    ],
)
def test_bad_evidence_files_are_refused_and_nothing_saved(world, upload, message):
    sef = make_sef(world.school_a1)
    with pytest.raises(ValidationError) as caught:
        services.evidence_add(
            actor=world.user("headteacher"),
            sef=sef,
            kind="file",
            title="X",
            areas=["inclusion"],
            file=upload,
        )
    assert caught.value.message_dict["file"] == [message]
    assert not Evidence.objects.exists()
    assert not AuditEvent.objects.filter(object_type="evaluation.evidence").exists()


def test_evidence_must_be_tagged_to_areas_of_the_framework(world):
    sef = make_sef(world.school_a1)
    with pytest.raises(ValidationError) as caught:
        services.evidence_add(
            actor=None,
            sef=sef,
            kind="text",
            title="X",
            text="Notes",
            areas=["behaviour-and-attitudes"],
        )
    assert "'behaviour-and-attitudes' is not an area of" in caught.value.message_dict["areas"][0]
    with pytest.raises(ValidationError, match="Tag the evidence"):
        services.evidence_add(actor=None, sef=sef, kind="text", title="X", text="Notes", areas=[])
    with pytest.raises(ValidationError, match="Give the link"):
        services.evidence_add(actor=None, sef=sef, kind="link", title="X", areas=["inclusion"])
    with pytest.raises(PermissionDenied):
        services.evidence_add(
            actor=world.user("local_governor"),
            sef=sef,
            kind="text",
            title="X",
            text="Notes",
            areas=["inclusion"],
        )


# --------------------------------------------------------------------------- validation


def test_validation_rules(world):
    sef = make_sef(world.school_a1, grade="expected-standard")
    judgement = sef.judgements.get(area_code="inclusion")
    leader = world.user("trust_leader")
    with pytest.raises(ValidationError, match="still a draft"):
        services.validation_record(
            actor=leader, judgement=judgement, role="trust_leader", agrees=True
        )
    services.sef_submit(actor=None, sef=sef)
    with pytest.raises(ValidationError) as caught:
        services.validation_record(
            actor=leader,
            judgement=judgement,
            role="trust_leader",
            agrees=False,
            grade_code="good",
            rationale="x",
        )
    assert (
        "'good' is not a grade of the Report card 5-point scale"
        in caught.value.message_dict["grade_code"][0]
    )
    with pytest.raises(ValidationError) as caught:
        services.validation_record(
            actor=leader,
            judgement=judgement,
            role="trust_leader",
            agrees=False,
            grade_code="needs-attention",
        )
    assert caught.value.message_dict["rationale"] == ["Explain why you give a different grade."]
    with pytest.raises(ValidationError, match="tick 'agree' instead"):
        services.validation_record(
            actor=leader,
            judgement=judgement,
            role="trust_leader",
            agrees=False,
            grade_code="expected-standard",
            rationale="x",
        )
    validation = services.validation_record(
        actor=leader,
        judgement=judgement,
        role="inspection",
        agrees=False,
        grade_code="needs-attention",
        rationale="Inspection report, May",
        validator_name="HMI J. Smith",
    )
    assert (
        validation.validator_name == "HMI J. Smith" and validation.grade_code == "needs-attention"
    )
    assert events(validation)[0].school_id == world.school_a1.pk


def test_peer_reviewers_validate_as_peer_reviewers_and_heads_never_validate_their_own(world):
    sef = make_sef(world.school_a1, submit=True)
    judgement = sef.judgements.get(area_code="achievement")
    reviewer = world.user("peer_reviewer")
    with pytest.raises(ValidationError) as caught:
        services.validation_record(
            actor=reviewer, judgement=judgement, role="trust_leader", agrees=True
        )
    assert "expected one of: Peer reviewer" in caught.value.message_dict["role"][0]
    services.validation_record(
        actor=reviewer, judgement=judgement, role="peer_reviewer", agrees=True
    )
    for role in ("headteacher", "senior_leader", "local_governor", "trustee"):
        with pytest.raises(PermissionDenied):
            services.validation_record(
                actor=world.user(role), judgement=judgement, role="peer_reviewer", agrees=True
            )
    assert Validation.objects.count() == 1


# --------------------------------------------------------------------------- frameworks


def test_copy_and_edit_a_framework_makes_new_versions_once_in_use(world):
    leader = world.user("trust_leader")
    copy = services.framework_copy(
        actor=leader,
        framework=framework(FOUR),
        trust=world.trust_a,
        code="our-four",
        name="Our four characteristics",
    )
    assert copy.trust == world.trust_a and copy.version == 1 and copy.copied_from == framework(FOUR)
    areas = {
        "teaching": {
            "name": "Great teaching",
            "description": "Teaching first.",
            "prompts": ["One", "Two"],
        }
    }
    edited = services.framework_edit(actor=leader, framework=copy, name="Our four", areas=areas)
    assert edited.pk == copy.pk and edited.spec.area("teaching").name == "Great teaching"

    services.sef_create(
        actor=None, school=world.school_a1, academic_year=year_of(world.trust_a), framework=edited
    )
    areas["teaching"]["name"] = "The highest quality teaching, again"
    v2 = services.framework_edit(actor=leader, framework=edited, name="Our four", areas=areas)
    assert v2.pk != edited.pk and v2.version == 2 and v2.is_active
    edited.refresh_from_db()
    assert edited.spec.area("teaching").name == "Great teaching" and not edited.is_active
    assert list(
        Framework.objects.filter(trust=world.trust_a, code="our-four").values_list(
            "version", flat=True
        )
    ) == [2, 1]


def test_framework_rules(world):
    leader = world.user("trust_leader")
    with pytest.raises(ValidationError, match="Built-in frameworks are never edited"):
        services.framework_edit(actor=leader, framework=framework(EIF), name="X", areas={})
    with pytest.raises(PermissionDenied):
        services.framework_copy(
            actor=world.user("headteacher"),
            framework=framework(EIF),
            trust=world.trust_a,
            code="x",
            name="X",
        )
    with pytest.raises(PermissionDenied):  # trust B's copy is not for trust A's leader
        services.framework_copy(
            actor=leader, framework=framework(EIF), trust=world.trust_b, code="x", name="X"
        )
    copy = services.framework_copy(
        actor=leader, framework=framework(EIF), trust=world.trust_a, code="x", name="X"
    )
    with pytest.raises(ValidationError) as caught:
        services.framework_copy(
            actor=leader, framework=framework(EIF), trust=world.trust_a, code="x", name="Y"
        )
    assert "already has a framework with the code 'x'" in caught.value.message_dict["code"][0]
    with pytest.raises(ValidationError, match="inclusion is not an area"):
        services.framework_edit(
            actor=leader, framework=copy, name="X", areas={"inclusion": {"name": "Y"}}
        )
    with pytest.raises(ValidationError, match="is empty|is not valid"):
        services.framework_edit(
            actor=leader, framework=copy, name="X", areas={"personal-development": {"name": ""}}
        )


def test_trust_self_review(world):
    leader = world.user("trust_leader")
    review = services.trust_self_review_create(
        actor=leader,
        trust=world.trust_a,
        academic_year=year_of(world.trust_a),
        framework=framework(TEN_WAYS),
    )
    assert review.ratings.count() == 10
    rating = review.ratings.get(area_code="keep-it-simple")
    services.trust_statement_rate(
        actor=leader,
        rating=rating,
        grade_code="we-talk-about-doing-this",
        current_position="Central HR",
        actions="Move estates",
    )
    with pytest.raises(ValidationError) as caught:
        services.trust_statement_rate(actor=leader, rating=rating, grade_code="good")
    assert (
        "expected one of: We do this, We talk about doing this"
        in caught.value.message_dict["grade_code"][0]
    )
    with pytest.raises(PermissionDenied):
        services.trust_statement_rate(
            actor=world.user("trustee"), rating=rating, grade_code="we-do-this"
        )
    with pytest.raises(PermissionDenied):
        services.trust_self_review_create(
            actor=world.user("executive_headteacher"),
            trust=world.trust_a,
            academic_year=year_of(world.trust_a),
            framework=framework(TEN_WAYS),
        )
    assert events(rating)[0].trust_id == world.trust_a.pk


def test_judgement_rows_keep_framework_order(world):
    sef = make_sef(world.school_a1, code=EIF)
    spec = sef.framework.spec
    expected = [a.code for a in spec.areas_for(has_early_years=True, has_sixth_form=False)]
    assert (
        list(AreaJudgement.objects.filter(sef=sef).values_list("area_code", flat=True)) == expected
    )


def test_a_validation_is_withdrawn_by_someone_who_may_validate_in_that_role(world):
    sef = make_sef(world.school_a1, submit=True)
    judgement = sef.judgements.get(area_code="achievement")
    validation = services.validation_record(
        actor=world.user("peer_reviewer"), judgement=judgement, role="peer_reviewer", agrees=True
    )
    for role in (
        "headteacher",
        "local_governor",
        "trust_leader",
    ):  # trust leaders validate as trust_leader
        with pytest.raises(PermissionDenied):
            services.validation_withdraw(actor=world.user(role), validation=validation)
    assert Validation.objects.filter(pk=validation.pk).exists()
    pk = validation.pk
    services.validation_withdraw(actor=world.user("peer_reviewer"), validation=validation)
    assert not Validation.objects.filter(pk=pk).exists()
    assert AuditEvent.objects.filter(
        object_type="evaluation.validation", object_id=str(pk), action="delete"
    ).exists()
