"""Inspections under both frameworks: recording (validated, audited), the one reader every
consumer uses, and the school page showing grade names."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from trustwide.audit.models import AuditEvent
from trustwide.trusts import services
from trustwide.trusts.inspections import EIF_2019, REPORT_CARD_2025, read_grades, read_inspection
from trustwide.trusts.models import Inspection

RC_EXPECTED = {
    "inclusion": "expected-standard",
    "curriculum-and-teaching": "expected-standard",
    "achievement": "expected-standard",
    "attendance-and-behaviour": "expected-standard",
    "personal-development-and-well-being": "expected-standard",
    "leadership-and-governance": "expected-standard",
    "early-years": "expected-standard",
    "safeguarding": "met",  # A1 Primary has early years
}
EIF_GOOD = {
    "quality-of-education": "good",
    "behaviour-and-attitudes": "good",
    "personal-development": "good",
    "leadership-and-management": "good",
    "early-years-provision": "good",
}


def school_for(world, **fields):
    school = world.school_a1
    for name, value in fields.items():
        setattr(school, name, value)
    school.save()
    return school


def test_report_card_recorded_as_labels_and_audited(world):
    head = world.user("headteacher")
    grades = {**RC_EXPECTED, "achievement": "needs-attention"}
    inspection = services.inspection_record(
        actor=head,
        school=world.school_a1,
        framework=REPORT_CARD_2025,
        inspected_on=datetime.date(2026, 2, 3),
        grades=grades,
        report_url="https://reports.ofsted.gov.uk/x",
    )
    assert inspection.grades["achievement"] == "Needs attention"
    assert inspection.grades["safeguarding"] == "Met"
    [event] = AuditEvent.objects.filter(
        object_type="trusts.inspection", object_id=str(inspection.pk)
    )
    assert (
        event.action == "create" and event.actor == head and event.school_id == world.school_a1.pk
    )
    assert event.after["grades"]["achievement"] == "Needs attention"


def test_monitoring_visit_needs_no_grades_and_does_not_replace_the_graded_inspection(world):
    leader = world.user("trust_leader")
    graded = services.inspection_record(
        actor=leader,
        school=world.school_a1,
        framework=EIF_2019,
        inspected_on=datetime.date(2024, 5, 1),
        grades=EIF_GOOD,
    )
    services.inspection_record(
        actor=leader,
        school=world.school_a1,
        framework=REPORT_CARD_2025,
        inspected_on=datetime.date(2026, 3, 1),
        grades={},
        kind="monitoring",
    )
    school = type(world.school_a1).objects.get(pk=world.school_a1.pk)
    assert school.latest_inspection == graded
    assert AuditEvent.objects.filter(object_type="trusts.inspection").count() == 2


@pytest.mark.parametrize(
    ("framework", "on", "grades", "field", "words"),
    [
        (
            REPORT_CARD_2025,
            datetime.date(2025, 10, 1),
            RC_EXPECTED,
            "inspected_on",
            "Report cards started on 10/11/2025",
        ),
        (
            REPORT_CARD_2025,
            datetime.date(2026, 1, 10),
            {**RC_EXPECTED, "achievement": "good"},
            "achievement",
            "Achievement: 'good' is not a grade; expected one of Exceptional",
        ),
        (
            REPORT_CARD_2025,
            datetime.date(2026, 1, 10),
            {**RC_EXPECTED, "sixth-form": "exceptional"},
            "sixth-form",
            "no sixth form provision",
        ),
        (
            REPORT_CARD_2025,
            datetime.date(2026, 1, 10),
            {k: v for k, v in RC_EXPECTED.items() if k != "inclusion"},
            "inclusion",
            "Inclusion: a grade is needed",
        ),
        (
            REPORT_CARD_2025,
            datetime.date(2026, 1, 10),
            {**RC_EXPECTED, "overall": "good"},
            "overall",
            "not an area",
        ),
    ],
)
def test_bad_inspections_name_the_field_and_save_nothing(
    world, framework, on, grades, field, words
):
    school = school_for(world, has_sixth_form=False)
    with pytest.raises(ValidationError) as caught:
        services.inspection_record(
            actor=world.user("trust_administrator"),
            school=school,
            framework=framework,
            inspected_on=on,
            grades=grades,
        )
    assert words in " ".join(caught.value.message_dict[field])
    assert (
        not Inspection.objects.exists()
        and not AuditEvent.objects.filter(object_type="trusts.inspection").exists()
    )


def test_teachers_and_other_trusts_may_not_record(world):
    for role, school in (("teacher", world.school_a1), ("trust_leader", world.school_b1)):
        with pytest.raises(PermissionDenied):
            services.inspection_record(
                actor=world.user(role),
                school=school,
                framework=REPORT_CARD_2025,
                inspected_on=datetime.date(2026, 1, 10),
                grades=RC_EXPECTED,
            )
    assert not Inspection.objects.exists()


def test_reader_reads_both_frameworks_and_old_rows():
    old = read_grades(
        EIF_2019, {"quality-of-education": "Good", "early-years": "Requires improvement"}
    )
    assert old.rank_2019 == 3 and [a.area_name for a in old.areas] == [
        "Quality of education",
        "Early years provision",
    ]
    assert (
        read_grades(
            EIF_2019, {"overall-effectiveness": "Outstanding", "quality-of-education": "Good"}
        ).rank_2019
        == 1
    )
    card = read_grades(
        REPORT_CARD_2025,
        {
            **RC_EXPECTED,
            "inclusion": "Urgent improvement",
            "achievement": "Needs attention",
            "safeguarding": "Not met",
        },
    )
    assert card.urgent_areas == ("Inclusion",) and card.attention_areas == ("Achievement",)
    assert card.safeguarding_not_met and not card.good_or_better and card.rank_2019 is None
    assert "Safeguarding not met" in card.summary
    assert read_inspection(None) is None


def test_school_page_shows_grade_and_area_names_never_codes(world, login, client):
    services.inspection_record(
        actor=None,
        actor_label="test",
        school=world.school_a1,
        framework=REPORT_CARD_2025,
        inspected_on=datetime.date(2026, 1, 10),
        grades={**RC_EXPECTED, "attendance-and-behaviour": "needs-attention"},
    )
    login(world.user("teacher"))
    html = client.get(reverse("trusts:school-detail", args=[world.school_a1.pk])).content.decode()
    assert "Attendance and behaviour" in html and "Needs attention" in html
    assert "Ofsted report card" in html
    assert "needs-attention" not in html and "attendance-and-behaviour" not in html
    assert "ofsted-report-card-2025" not in html
    assert "Record an inspection" not in html  # a teacher does not record


def test_headteacher_records_a_report_card_on_the_page(world, login, client):
    login(world.user("headteacher"))
    url = reverse("trusts:inspection-add", args=[world.school_a1.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Leadership and governance" in page.content.decode()
    data = {"kind": "inspection", "inspected_on": "2026-01-20", "report_url": "", **RC_EXPECTED}
    response = client.post(url, {**data, "inclusion": ""})
    assert (
        response.status_code == 400 and "Inclusion: a grade is needed" in response.content.decode()
    )
    response = client.post(url, data)
    assert response.status_code == 302
    assert Inspection.objects.get().grades["inclusion"] == "Expected standard"


def test_page_for_the_2019_framework(world, login, client):
    login(world.user("trust_administrator"))
    url = reverse("trusts:inspection-add", args=[world.school_a1.pk]) + f"?framework={EIF_2019}"
    response = client.post(url, {"kind": "inspection", "inspected_on": "2023-06-01", **EIF_GOOD})
    assert response.status_code == 302
    assert Inspection.objects.get().framework == EIF_2019
    assert (
        client.get(
            reverse("trusts:inspection-add", args=[world.school_a1.pk]) + "?framework=nope"
        ).status_code
        == 404
    )
