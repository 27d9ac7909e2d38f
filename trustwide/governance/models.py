"""Governance: governing bodies (trust board, committees, local governing committees), their
members and terms of office, meetings with agendas, minutes, attendance and actions, governor
monitoring visits, the annual skills audit and training log; and the trust's annual cycle
turned into dated tasks per school and role, with a per-user iCalendar token."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from trustwide.accounts.roles import Role
from trustwide.common import steps

User = settings.AUTH_USER_MODEL


class BodyKind(models.TextChoices):
    BOARD = "board", "Trust board"
    COMMITTEE = "committee", "Trust board committee"
    LGC = "lgc", "Local governing committee"


class GoverningBody(models.Model):
    trust = models.ForeignKey(
        "trusts.Trust", on_delete=models.CASCADE, related_name="governing_bodies"
    )
    school = models.ForeignKey(
        "trusts.School",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="governing_bodies",
        help_text="The school of a local governing committee.",
    )
    kind = models.CharField(max_length=10, choices=BodyKind.choices)
    name = models.CharField(max_length=200)

    scope_school_path = "school"
    scope_trust_path = "trust"
    view_permission = "governance.view"
    scope_trust_wide = True  # a trust board's rows (no school) belong to the whole trust

    class Meta:
        ordering = ["trust", "kind", "name"]
        verbose_name_plural = "governing bodies"
        constraints = [
            models.UniqueConstraint(fields=["trust", "name"], name="governing_body_name_unique")
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.kind == BodyKind.LGC and not self.school_id:
            raise ValidationError({"school": "A local governing committee belongs to a school."})
        if self.kind != BodyKind.LGC and self.school_id:
            raise ValidationError(
                {"school": "Only a local governing committee belongs to a school."}
            )
        if self.school_id and self.trust_id and self.school.trust_id != self.trust_id:
            raise ValidationError({"school": "That school belongs to another trust."})

    def audit_scope(self):
        return self.trust_id, self.school_id


class MemberRole(models.TextChoices):
    CHAIR = "chair", "Chair"
    VICE_CHAIR = "vice_chair", "Vice-chair"
    MEMBER = "member", "Member"
    CLERK = "clerk", "Clerk"


class LinkRole(models.TextChoices):
    SAFEGUARDING = "safeguarding", "Safeguarding"
    SEND = "send", "SEND"
    PUPIL_PREMIUM = "pupil_premium", "Pupil premium"
    CURRICULUM = "curriculum", "Curriculum"
    FINANCE = "finance", "Finance"
    HEALTH_SAFETY = "health_safety", "Health and safety"
    WELLBEING = "wellbeing", "Staff wellbeing"
    EARLY_YEARS = "early_years", "Early years"


class BodyMember(models.Model):
    body = models.ForeignKey(GoverningBody, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="body_memberships")
    role = models.CharField(max_length=12, choices=MemberRole.choices, default=MemberRole.MEMBER)
    link_roles = models.JSONField(default=list, blank=True, help_text="Link governor areas.")
    starts_on = models.DateField("Term of office starts")
    ends_on = models.DateField("Term of office ends", null=True, blank=True)

    scope_school_path = "body__school"
    scope_trust_path = "body__trust"
    view_permission = "governance.view"
    scope_trust_wide = True

    class Meta:
        ordering = ["body", "role", "user__full_name"]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}, {self.body})"

    @property
    def link_role_labels(self) -> list[str]:
        labels = dict(LinkRole.choices)
        return [labels.get(c, c) for c in self.link_roles]

    def is_current(self, on) -> bool:
        return self.starts_on <= on and (self.ends_on is None or self.ends_on >= on)

    def clean(self):
        if not isinstance(self.link_roles, list) or any(
            c not in LinkRole.values for c in self.link_roles
        ):
            raise ValidationError({"link_roles": "Choose link roles from the list."})
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "The term of office ends before it starts."})

    def audit_scope(self):
        return self.body.trust_id, self.body.school_id


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class Meeting(models.Model):
    body = models.ForeignKey(GoverningBody, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField("Date")
    title = models.CharField(max_length=200)
    location = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )

    scope_school_path = "body__school"
    scope_trust_path = "body__trust"
    view_permission = "governance.view"
    scope_trust_wide = True

    class Meta:
        ordering = ["-held_on", "pk"]

    def __str__(self):
        return f"{self.title} ({self.held_on:%d/%m/%Y})"

    def audit_scope(self):
        return self.body.trust_id, self.body.school_id


class AgendaKind(models.TextChoices):
    HEADS_REPORT = "heads_report", "Headteacher's report"
    PLAN_RAG = "plan_rag", "Improvement plan RAG"
    KPIS = "kpis", "KPIs"
    RISKS = "risks", "Risk register"
    POLICIES_DUE = "policies_due", "Policies and compliance due"
    LGC_CONFLICT = "lgc_conflict", "Trust priority flagged by a local governing committee"
    OTHER = "other", "Other business"


STANDARD_ITEMS = [
    AgendaKind.HEADS_REPORT,
    AgendaKind.PLAN_RAG,
    AgendaKind.KPIS,
    AgendaKind.RISKS,
    AgendaKind.POLICIES_DUE,
]


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    kind = models.CharField(max_length=15, choices=AgendaKind.choices)
    title = models.CharField(max_length=200)
    school = models.ForeignKey(
        "trusts.School",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Whose data the item shows (plan RAG, KPIs, risks).",
    )
    notes = models.TextField(blank=True)

    scope_school_path = "meeting__body__school"
    scope_trust_path = "meeting__body__trust"
    view_permission = "governance.view"
    scope_trust_wide = True

    class Meta:
        ordering = ["meeting", "number", "pk"]

    def __str__(self):
        return f"{self.number}. {self.title}"

    def clean(self):
        if not self.school_id or not self.meeting_id:
            return
        body = self.meeting.body
        if body.school_id and self.school_id != body.school_id:
            raise ValidationError(
                {
                    "school": "A local governing committee's agenda can only show its own school's data."
                }
            )
        if self.school.trust_id != body.trust_id:
            raise ValidationError({"school": "That school belongs to another trust."})

    def audit_scope(self):
        return self.meeting.body.trust_id, self.meeting.body.school_id


class MinuteKind(models.TextChoices):
    QUESTION = "question", "Question"
    CHALLENGE = "challenge", "Challenge"
    DECISION = "decision", "Decision"
    NOTE = "note", "Note"


class MinuteEntry(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="minutes")
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="minutes"
    )
    kind = models.CharField(max_length=10, choices=MinuteKind.choices)
    text = models.TextField()
    response = models.TextField(
        blank=True, help_text="The answer given, for a question or challenge."
    )
    raised_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    scope_school_path = "meeting__body__school"
    scope_trust_path = "meeting__body__trust"
    view_permission = "governance.view"
    scope_trust_wide = True

    class Meta:
        ordering = ["meeting", "agenda_item__number", "pk"]
        verbose_name_plural = "minute entries"

    def __str__(self):
        return f"{self.get_kind_display()}: {self.text[:60]}"

    def clean(self):
        if (
            self.agenda_item_id
            and self.meeting_id
            and self.agenda_item.meeting_id != self.meeting_id
        ):
            raise ValidationError({"agenda_item": "Choose an item of this meeting's agenda."})

    def audit_scope(self):
        return self.meeting.body.trust_id, self.meeting.body.school_id


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Present"
    APOLOGIES = "apologies", "Apologies given"
    ABSENT = "absent", "Absent"


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=AttendanceStatus.choices)

    scope_school_path = "meeting__body__school"
    scope_trust_path = "meeting__body__trust"
    view_permission = "governance.view"
    scope_trust_wide = True

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="attendance_once_per_meeting")
        ]

    def __str__(self):
        return f"{self.user}: {self.get_status_display()}"

    def audit_scope(self):
        return self.meeting.body.trust_id, self.meeting.body.school_id


class GovActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Complete"


class MeetingAction(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(max_length=400)
    owner = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="governance_actions"
    )
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=6, choices=GovActionStatus.choices, default=GovActionStatus.OPEN
    )
    completed_on = models.DateField(null=True, blank=True)

    scope_school_path = "meeting__body__school"
    scope_trust_path = "meeting__body__trust"
    view_permission = "governance.view"
    scope_trust_wide = True

    class Meta:
        ordering = ["status", "due_on", "pk"]

    def __str__(self):
        return self.description[:120]

    def clean(self):
        if self.status == GovActionStatus.DONE and not self.completed_on:
            raise ValidationError({"completed_on": "Give the date the action was completed."})

    def audit_scope(self):
        return self.meeting.body.trust_id, self.meeting.body.school_id


class GovernorVisit(models.Model):
    school = models.ForeignKey(
        "trusts.School", on_delete=models.CASCADE, related_name="governor_visits"
    )
    governor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="governor_visits"
    )
    visited_on = models.DateField()
    priority = models.ForeignKey(
        "planning.Priority",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="governor_visits",
        help_text="The plan priority the visit looked at.",
    )
    focus = models.CharField(max_length=300)
    findings = models.TextField(help_text="What you saw and heard. No pupil names.")
    next_steps = models.TextField(blank=True)

    scope_school_path = "school"
    scope_trust_path = "school__trust"
    view_permission = "governance.view"

    class Meta:
        ordering = ["-visited_on", "pk"]

    def __str__(self):
        return f"Visit: {self.focus[:60]} ({self.visited_on:%d/%m/%Y})"

    def clean(self):
        if self.priority_id and self.school_id and self.priority.plan.school_id != self.school_id:
            raise ValidationError({"priority": "Choose a priority from this school's plan."})

    def audit_scope(self):
        return self.school.trust_id, self.school_id


class SkillRating(models.Model):
    """One governor's self-rating on one skill of the framework (skills.py) for a year."""

    trust = models.ForeignKey("trusts.Trust", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="skill_ratings")
    start_year = models.PositiveSmallIntegerField()
    skill = models.CharField(max_length=40)
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(4)]
    )

    scope_trust_path = "trust"
    view_permission = "governance.view"

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["trust", "user", "start_year", "skill"], name="skill_rating_unique"
            )
        ]

    def __str__(self):
        return f"{self.user} {self.skill} {self.rating}"

    def clean(self):
        from .skills import SKILL_CODES

        if self.skill not in SKILL_CODES:
            raise ValidationError({"skill": "Unknown skill."})

    def audit_scope(self):
        return self.trust_id, None


class TrainingRecord(models.Model):
    trust = models.ForeignKey("trusts.Trust", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="governor_training")
    title = models.CharField(max_length=200)
    provider = models.CharField(max_length=200, blank=True)
    completed_on = models.DateField()
    hours = models.DecimalField(
        max_digits=5, decimal_places=1, default=1, validators=[MinValueValidator(0)]
    )
    skill = models.CharField(max_length=40, blank=True, help_text="The skill it develops, if any.")

    scope_trust_path = "trust"
    view_permission = "governance.view"

    class Meta:
        ordering = ["-completed_on", "pk"]

    def __str__(self):
        return self.title

    def audit_scope(self):
        return self.trust_id, None


# The annual cycle ---------------------------------------------------------------------------


class Frequency(models.TextChoices):
    ONCE = "once", "Once a year (month and day)"
    MONTHLY = "monthly", "Every month (day)"
    TERMLY = "termly", "Every term (days before the term ends)"


class CycleCategory(models.TextChoices):
    PLANNING = "planning", "Planning"
    GOVERNANCE = "governance", "Governance reporting"
    COMPLIANCE = "compliance", "Compliance"
    POLICY = "policy", "Policy review"
    PEOPLE = "people", "Appraisal and people"


class CycleItem(models.Model):
    """One line of the trust's annual cycle, defined once; expanded to dated tasks each year."""

    trust = models.ForeignKey("trusts.Trust", on_delete=models.CASCADE, related_name="cycle_items")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    category = models.CharField(
        max_length=12, choices=CycleCategory.choices, default=CycleCategory.PLANNING
    )
    role = models.CharField(max_length=30, choices=Role.choices, help_text="Who does it.")
    per_school = models.BooleanField(
        default=True, help_text="One task per school (otherwise one for the trust)."
    )
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.ONCE)
    month = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    day = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text="Day of the month (the last day if the month is shorter).",
    )
    days_before_term_end = models.PositiveSmallIntegerField(
        default=10, help_text="For termly items."
    )
    # A step done in the product (common/steps.py): its tasks complete when it is done there,
    # not by ticking. Without one, a task is ticked by hand.
    event = models.CharField(
        max_length=40,
        blank=True,
        choices=steps.EVENT_CHOICES,
        help_text="The step in the product that completes this task (leave empty to tick by hand).",
    )

    scope_trust_path = "trust"
    view_permission = "strategic_plan.view"

    class Meta:
        ordering = ["trust", "month", "day", "title"]

    def __str__(self):
        return self.title

    def clean(self):
        if self.frequency == Frequency.ONCE and not self.month:
            raise ValidationError({"month": "Choose the month of a once-a-year item."})
        if self.event and steps.scope_problem(self.event, self.per_school):
            raise ValidationError({"per_school": steps.scope_problem(self.event, self.per_school)})

    def audit_scope(self):
        return self.trust_id, None


class CycleTask(models.Model):
    # SET_NULL: deleting a cycle item removes its open tasks (services.cycle_item_delete) and
    # keeps the completed ones as the record of work done; they carry their own title and role.
    item = models.ForeignKey(
        CycleItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks"
    )
    trust = models.ForeignKey("trusts.Trust", on_delete=models.CASCADE, related_name="+")
    academic_year = models.ForeignKey(
        "trusts.AcademicYear", on_delete=models.CASCADE, related_name="+"
    )
    school = models.ForeignKey(
        "trusts.School", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    role = models.CharField(max_length=30, choices=Role.choices)
    title = models.CharField(max_length=200)
    due_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    completed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A named person: the task then shows only for them (and on managers' overviews); without
    # one it shows for everyone who holds the role where the task is (selectors.tasks_for).
    assignee = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cycle_tasks",
        verbose_name="assigned to",
    )

    scope_school_path = "school"
    scope_trust_path = "trust"
    view_permission = "trust.view"
    scope_trust_wide = True

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "academic_year", "school", "due_on"], name="cycle_task_unique"
            )
        ]
        indexes = [models.Index(fields=["trust", "role", "due_on"])]

    def __str__(self):
        return f"{self.title} ({self.due_on:%d/%m/%Y})"

    @property
    def event(self) -> str:
        return self.item.event if self.item_id and self.item else ""

    @property
    def page_url(self) -> str:
        """The page where the step is done (select_related item, trust and school)."""
        return steps.page_url(self.event, self.trust, self.school) if self.event else ""

    def audit_scope(self):
        return self.trust_id, self.school_id


def new_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarToken(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="calendar_token")
    token = models.CharField(max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Calendar token of {self.user}"

    def audit_scope(self):
        return None, None


# Local governing committee reports to the board, and meeting papers frozen when held -----------


class LgcReportStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted to the trust board"


class LgcReport(models.Model):
    """A local governing committee's termly report to the trust board. While a draft its
    figures are read live (lgc.report_content); submitting stores them in `content`, so the
    board reads what the committee sent."""

    body = models.ForeignKey(GoverningBody, on_delete=models.CASCADE, related_name="lgc_reports")
    term = models.ForeignKey("trusts.Term", on_delete=models.CASCADE, related_name="+")
    summary = models.TextField(
        blank=True, help_text="The committee's own account of the term for the board."
    )
    status = models.CharField(
        max_length=10, choices=LgcReportStatus.choices, default=LgcReportStatus.DRAFT
    )
    content = models.JSONField(default=dict, blank=True, editable=False)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    scope_school_path = "body__school"
    scope_trust_path = "body__trust"
    view_permission = "governance.view"

    class Meta:
        ordering = ["-term__starts_on", "body__name"]
        constraints = [
            models.UniqueConstraint(fields=["body", "term"], name="lgc_report_one_per_term")
        ]

    def __str__(self):
        return f"{self.body.name}: report to the board, {self.term}"

    def clean(self):
        if self.body_id and self.body.kind != BodyKind.LGC:
            raise ValidationError(
                {"body": "Only a local governing committee reports to the board."}
            )
        if self.body_id and self.term_id and self.term.academic_year.trust_id != self.body.trust_id:
            raise ValidationError({"term": "Choose a term of the trust's calendar."})

    def audit_scope(self):
        return self.body.trust_id, self.body.school_id


class PriorityConflict(models.Model):
    """Governors' flag that a trust (MSP) priority is harming one of the school's priorities,
    with their reasoning; on submission it becomes an item of the next board meeting."""

    report = models.ForeignKey(LgcReport, on_delete=models.CASCADE, related_name="conflicts")
    trust_priority = models.ForeignKey(
        "planning.TrustPriority", on_delete=models.CASCADE, related_name="+"
    )
    school_priority = models.ForeignKey(
        "planning.Priority", on_delete=models.CASCADE, related_name="+"
    )
    reasoning = models.TextField(
        help_text="How the trust priority is harming the school's priority, and what you ask."
    )
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    scope_school_path = "report__body__school"
    scope_trust_path = "report__body__trust"
    view_permission = "governance.view"

    class Meta:
        ordering = ["report", "pk"]

    def __str__(self):
        return f"{self.trust_priority.code} vs {self.school_priority}"

    def clean(self):
        if not self.reasoning.strip():
            raise ValidationError(
                {
                    "reasoning": "Give the governors' reasoning: how the trust priority harms the school's."
                }
            )
        if not self.report_id:
            return
        body = self.report.body
        if self.school_priority_id and self.school_priority.plan.school_id != body.school_id:
            raise ValidationError({"school_priority": "Choose a priority of this school's plans."})
        if self.trust_priority_id and self.trust_priority.strategic_plan.trust_id != body.trust_id:
            raise ValidationError({"trust_priority": "Choose a priority of this trust's plan."})

    def audit_scope(self):
        return self.report.body.trust_id, self.report.body.school_id


class LgcReportReply(models.Model):
    report = models.ForeignKey(LgcReport, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    scope_school_path = "report__body__school"
    scope_trust_path = "report__body__trust"
    view_permission = "governance.view"

    class Meta:
        ordering = ["report", "created_at", "pk"]
        verbose_name_plural = "LGC report replies"

    def __str__(self):
        return f"Reply to {self.report}"

    def audit_scope(self):
        return self.report.body.trust_id, self.report.body.school_id


def papers_upload_to(instance, filename: str) -> str:
    return f"meeting-papers/{instance.meeting.body.trust_id}/{filename}"


class MeetingPapers(models.Model):
    """A held meeting's papers as they stood when it was marked held: the data the papers page
    renders (papers.build) and the PDF of the pack. Written once (services_lgc.papers_freeze),
    never edited: the evidence minutes and decisions were taken on."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="papers")
    data = models.JSONField(editable=False)
    pdf = models.FileField(upload_to=papers_upload_to, blank=True, editable=False)
    no_papers = models.BooleanField(default=False, editable=False)
    frozen_at = models.DateTimeField(auto_now_add=True)
    frozen_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    scope_school_path = "meeting__body__school"
    scope_trust_path = "meeting__body__trust"
    view_permission = "governance.view"
    scope_trust_wide = True

    class Meta:
        verbose_name_plural = "meeting papers"

    def __str__(self):
        return f"Papers of {self.meeting}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("A meeting's frozen papers cannot be changed.")
        super().save(*args, **kwargs)

    def audit_scope(self):
        return self.meeting.body.trust_id, self.meeting.body.school_id
