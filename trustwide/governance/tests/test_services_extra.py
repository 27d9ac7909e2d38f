"""Recording attendance of a planned meeting that has taken place marks it held."""

import datetime

from django.utils import timezone

from trustwide.governance.models import (
    AttendanceStatus,
    BodyMember,
    GoverningBody,
    Meeting,
    MeetingStatus,
)
from trustwide.governance.services import attendance_record


def test_recording_attendance_marks_a_past_planned_meeting_held(world):
    governor = world.user("local_governor")
    body = GoverningBody.objects.filter(school=world.school_a1).first()
    if body is None:
        from trustwide.governance.services import body_create

        body = body_create(
            actor=world.user("trust_administrator"),
            trust=world.trust_a,
            school=world.school_a1,
            kind="lgc",
            name="A1 local governing committee",
        )
    if not BodyMember.objects.filter(body=body, user=governor).exists():
        BodyMember.objects.create(
            body=body,
            user=governor,
            role="member",
            starts_on=timezone.localdate() - datetime.timedelta(days=400),
        )
    meeting = Meeting.objects.create(
        body=body,
        held_on=timezone.localdate() - datetime.timedelta(days=2),
        title="Autumn meeting",
        status=MeetingStatus.PLANNED,
    )
    attendance_record(
        actor=governor, meeting=meeting, statuses={governor: AttendanceStatus.PRESENT}
    )
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
