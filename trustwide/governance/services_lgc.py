"""Write path for the local governing committees' reports to the board and for freezing a
meeting's papers when it is held: permission through rules.py, validation, audit in the same
transaction (the house pattern of services.py, kept apart to keep that module small)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from trustwide.audit.models import AuditAction
from trustwide.audit.services import audited_create, audited_update, record_event, snapshot
from trustwide.common import steps

from . import lgc, papers, rules
from .models import (
    AgendaItem,
    AgendaKind,
    BodyKind,
    LgcReport,
    LgcReportReply,
    LgcReportStatus,
    Meeting,
    MeetingPapers,
    MeetingStatus,
    PriorityConflict,
    papers_upload_to,
)
from .services import _deny  # the one refusal helper of the app's services

ALREADY_SUBMITTED = "This report was submitted to the board on {on:%d/%m/%Y}; it cannot change now."


def _refuse_if_submitted(report: LgcReport) -> None:
    if report.status == LgcReportStatus.SUBMITTED:
        raise ValidationError(ALREADY_SUBMITTED.format(on=report.submitted_at))


@transaction.atomic
def report_create(*, actor, body, term, summary="", actor_label=None) -> LgcReport:
    _deny(actor, rules.may_draft_report(actor, body), rules.REPORT_DRAFT_REFUSED)
    if LgcReport.objects.filter(body=body, term=term).exists():
        raise ValidationError(
            {"term": f"{body.name} already has a report for {term}; open it from the list."}
        )
    return audited_create(
        actor=actor,
        actor_label=actor_label,
        model=LgcReport,
        body=body,
        term=term,
        summary=summary,
        created_by=actor,
    )


@transaction.atomic
def report_update(*, actor, report: LgcReport, summary: str, actor_label=None) -> LgcReport:
    _deny(actor, rules.may_draft_report(actor, report.body), rules.REPORT_DRAFT_REFUSED)
    _refuse_if_submitted(report)
    return audited_update(actor=actor, actor_label=actor_label, instance=report, summary=summary)


@transaction.atomic
def conflict_add(
    *, actor, report: LgcReport, trust_priority, school_priority, reasoning, actor_label=None
) -> PriorityConflict:
    """Flag a trust priority harming a school priority; the reasoning is required."""
    _deny(actor, rules.may_draft_report(actor, report.body), rules.REPORT_DRAFT_REFUSED)
    _refuse_if_submitted(report)
    return audited_create(
        actor=actor,
        actor_label=actor_label,
        model=PriorityConflict,
        report=report,
        trust_priority=trust_priority,
        school_priority=school_priority,
        reasoning=(reasoning or "").strip(),
    )


def next_board_meeting(trust) -> Meeting | None:
    """The trust board's next planned meeting, today's included."""
    return (
        Meeting.objects.filter(
            body__trust=trust,
            body__kind=BodyKind.BOARD,
            status=MeetingStatus.PLANNED,
            held_on__gte=timezone.localdate(),
        )
        .order_by("held_on", "pk")
        .first()
    )


def _to_agenda(*, actor, actor_label, conflict: PriorityConflict, meeting: Meeting) -> None:
    report = conflict.report
    school = report.body.school
    number = (max((i.number for i in meeting.agenda_items.all()), default=0)) + 1
    title = (
        f"{school.name}: {conflict.trust_priority.code} harming priority {conflict.school_priority}"
    )
    item = audited_create(
        actor=actor,
        actor_label=actor_label,
        model=AgendaItem,
        meeting=meeting,
        number=number,
        kind=AgendaKind.LGC_CONFLICT,
        title=title[:200],
        school=school,
        notes=(
            f"{conflict.reasoning}\n\nFlagged by {report.body.name} in its report to the board "
            f"for {report.term}: {conflict.trust_priority} is harming {conflict.school_priority}."
        ),
    )
    audited_update(actor=actor, actor_label=actor_label, instance=conflict, agenda_item=item)


def attach_pending_conflicts(*, actor, meeting: Meeting, actor_label=None) -> int:
    """Put submitted conflicts that found no planned board meeting on this new one."""
    if meeting.body.kind != BodyKind.BOARD or meeting.status != MeetingStatus.PLANNED:
        return 0
    pending = PriorityConflict.objects.filter(
        report__body__trust_id=meeting.body.trust_id,
        report__status=LgcReportStatus.SUBMITTED,
        agenda_item__isnull=True,
    ).select_related("report__body__school", "report__term", "trust_priority", "school_priority")
    count = 0
    for conflict in pending:
        _to_agenda(actor=actor, actor_label=actor_label, conflict=conflict, meeting=meeting)
        count += 1
    return count


@transaction.atomic
def report_submit(
    *, actor, report: LgcReport, actor_label=None
) -> tuple[LgcReport, Meeting | None]:
    """Store the report's figures as they are now and send it to the board; each flagged
    conflict becomes an item on the board's next planned meeting (or the next one set up)."""
    report = LgcReport.objects.select_for_update().get(pk=report.pk)
    _deny(actor, rules.may_submit_report(actor, report), rules.REPORT_SUBMIT_REFUSED)
    _refuse_if_submitted(report)
    report = audited_update(
        actor=actor,
        actor_label=actor_label,
        instance=report,
        action=AuditAction.SUBMIT,
        status=LgcReportStatus.SUBMITTED,
        content=lgc.report_content(report),
        submitted_at=timezone.now(),
        submitted_by=actor,
    )
    steps.step_done(
        trust=report.body.trust,
        school=report.body.school,
        event=steps.LGC_REPORT_SUBMITTED,
        actor=actor,
        actor_label=actor_label,
    )
    meeting = next_board_meeting(report.body.trust)
    if meeting is not None:
        for conflict in report.conflicts.select_related("trust_priority", "school_priority"):
            _to_agenda(actor=actor, actor_label=actor_label, conflict=conflict, meeting=meeting)
    return report, meeting


@transaction.atomic
def reply_add(*, actor, report: LgcReport, text: str, actor_label=None) -> LgcReportReply:
    _deny(actor, rules.may_reply_to_report(actor, report), rules.REPORT_REPLY_REFUSED)
    if report.status != LgcReportStatus.SUBMITTED:
        raise ValidationError("Only a report submitted to the board can be replied to.")
    if not (text or "").strip():
        raise ValidationError({"text": "Write the reply."})
    return audited_create(
        actor=actor,
        actor_label=actor_label,
        model=LgcReportReply,
        report=report,
        author=actor,
        text=text.strip(),
    )


# Meeting papers ----------------------------------------------------------------------------------


def papers_freeze(*, actor, meeting: Meeting, actor_label=None) -> MeetingPapers | None:
    """Store the papers of a meeting just marked held, as the meeting's body sees them (its
    governors, or the trustees: papers.body_reader), whoever marked it held, with the PDF of
    the pack. Called inside the service that marks the meeting held (one
    transaction). Written once: a meeting held again keeps its first papers. A meeting marked
    held by the system (demo data, imports: no person) is not frozen, its papers page says so.
    A meeting with no papers is held all the same (it took place; refusing would not make papers
    appear and would block its attendance) and the record says no papers were attached."""
    if actor is None or MeetingPapers.objects.filter(meeting=meeting).exists():
        return None
    data = papers.build(papers.body_reader(meeting), meeting)
    empty = not papers.has_papers(data)
    name = ""
    if not empty:
        pdf = papers.render_papers_pdf(data)
        probe = MeetingPapers(meeting=meeting)
        name = default_storage.save(
            papers_upload_to(probe, f"meeting-{meeting.pk}-papers.pdf"), ContentFile(pdf)
        )
        # Should the transaction roll back, the file stays behind with no row naming it:
        # harmless (nothing reads it), and the file store has no transactions to join.
    frozen = MeetingPapers(meeting=meeting, data=data, pdf=name, no_papers=empty, frozen_by=actor)
    frozen.save()
    record_event(
        actor=actor,
        action=AuditAction.FREEZE_PAPERS,
        instance=frozen,
        before=None,
        after=snapshot(frozen),
        actor_label=actor_label,
    )
    steps.step_done(
        trust=meeting.body.trust,
        school=meeting.body.school,
        event=steps.MEETING_PAPERS_FROZEN,
        actor=actor,
        actor_label=actor_label,
    )
    return frozen
