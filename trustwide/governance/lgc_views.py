"""Pages of the local governing committees' reports to the board (draft, flag a conflict,
submit, the board's side-by-side view and replies) and of a meeting's papers (live for a
planned meeting, frozen for a held one, with the PDF of the pack)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from trustwide.common.exports import pdf_response
from trustwide.common.views import ScopedViewMixin, deny_unless, form_page, messages_from
from trustwide.trusts.models import Term

from . import lgc, papers, rules, services_lgc
from .lgc_forms import ConflictForm, LgcReportForm, ReplyForm, SummaryForm
from .models import BodyKind, LgcReportStatus
from .views import _body, _handle, _meeting, _trust


def _report(request, pk):
    try:
        return (
            lgc.reports_for(request.user)
            .select_related("body__trust", "body__school", "term__academic_year", "submitted_by")
            .get(pk=pk)
        )
    except Exception as exc:
        raise Http404("No report found.") from exc


def _url(report) -> str:
    return reverse("governance:lgc-report-detail", args=[report.pk])


def _current_term(trust):
    today = timezone.localdate()
    return (
        Term.objects.filter(academic_year__trust=trust, starts_on__lte=today)
        .order_by("-starts_on")
        .first()
    )


@_handle
class LgcReportCreateView(ScopedViewMixin, View):
    def handle(self, request, pk):
        body = _body(request, pk)
        if body.kind != BodyKind.LGC:
            raise Http404("Only a local governing committee reports to the board.")
        deny_unless(rules.may_draft_report(request.user, body), rules.REPORT_DRAFT_REFUSED)
        term = _current_term(body.trust)
        form = LgcReportForm(
            request.POST or None, body=body, initial={"term": term.pk if term else None}
        )
        back = reverse("governance:body-detail", args=[body.pk])
        return form_page(
            request,
            form,
            lambda f: services_lgc.report_create(actor=request.user, body=body, **f.cleaned_data),
            success_url=_url,
            success_message="Report started. Its figures stay live until it is submitted.",
            title=f"Report to the board: {body.name}",
            back_url=back,
        )


class LgcReportDetailView(ScopedViewMixin, View):
    def get(self, request, pk):
        report = _report(request, pk)
        body = report.body
        draft = report.status == LgcReportStatus.DRAFT
        return render(
            request,
            "governance/lgc_report.html",
            {
                "report": report,
                "body": body,
                "content": lgc.content_for(request.user, body.school, lgc.report_content(report)),
                "conflicts": list(
                    report.conflicts.select_related(
                        "trust_priority", "school_priority", "agenda_item__meeting"
                    )
                ),
                "replies": list(report.replies.select_related("author")),
                "can_draft": draft and rules.may_draft_report(request.user, body),
                "can_submit": draft and rules.may_submit_report(request.user, report),
                "can_reply": not draft and rules.may_reply_to_report(request.user, report),
                "next_meeting": services_lgc.next_board_meeting(body.trust) if draft else None,
            },
        )


def _draft_form(request, pk, make_form, save, title, message):
    report = _report(request, pk)
    deny_unless(rules.may_draft_report(request.user, report.body), rules.REPORT_DRAFT_REFUSED)
    return form_page(
        request,
        make_form(report),
        lambda f: save(report, f),
        success_url=_url(report),
        success_message=message,
        title=f"{title}: {report}",
        back_url=_url(report),
    )


@_handle
class LgcReportEditView(ScopedViewMixin, View):
    def handle(self, request, pk):
        return _draft_form(
            request,
            pk,
            lambda r: SummaryForm(request.POST or None, initial={"summary": r.summary}),
            lambda r, f: services_lgc.report_update(actor=request.user, report=r, **f.cleaned_data),
            "Edit the summary",
            "Summary saved.",
        )


@_handle
class ConflictAddView(ScopedViewMixin, View):
    def handle(self, request, pk):
        return _draft_form(
            request,
            pk,
            lambda r: ConflictForm(request.POST or None, report=r),
            lambda r, f: services_lgc.conflict_add(actor=request.user, report=r, **f.cleaned_data),
            "Flag a trust priority harming a school priority",
            "Flagged. It goes on the board's agenda when the report is submitted.",
        )


class LgcReportSubmitView(ScopedViewMixin, View):
    def post(self, request, pk):
        report = _report(request, pk)
        deny_unless(rules.may_submit_report(request.user, report), rules.REPORT_SUBMIT_REFUSED)
        try:
            report, meeting = services_lgc.report_submit(actor=request.user, report=report)
        except ValidationError as exc:
            messages_from(request, exc)
        else:
            n = report.conflicts.count()
            text = "Report submitted to the trust board."
            if n and meeting is not None:
                text += f" {n} flagged priorit{'ies' if n != 1 else 'y'} added to the agenda of {meeting}."
            elif n:
                text += (
                    " The trust board has no meeting planned yet: the flagged priorities go on the "
                    "agenda of the next one set up."
                )
            messages.success(request, text)
        return redirect(_url(report))


@_handle
class ReplyView(ScopedViewMixin, View):
    def handle(self, request, pk):
        report = _report(request, pk)
        deny_unless(rules.may_reply_to_report(request.user, report), rules.REPORT_REPLY_REFUSED)
        return form_page(
            request,
            ReplyForm(request.POST or None),
            lambda f: services_lgc.reply_add(actor=request.user, report=report, **f.cleaned_data),
            success_url=_url(report),
            success_message="Reply sent to the committee.",
            title=f"Reply: {report}",
            back_url=_url(report),
        )


class BoardReportsView(ScopedViewMixin, View):
    """Every school's report for a term, side by side."""

    def get(self, request, slug):
        trust = _trust(request, slug)
        deny_unless(rules.may_see_board_reports(request.user, trust), rules.BOARD_REPORTS_REFUSED)
        terms = list(
            Term.objects.filter(academic_year__trust=trust)
            .select_related("academic_year")
            .order_by("-starts_on")
        )
        chosen = request.GET.get("term")
        term = next((t for t in terms if str(t.pk) == chosen), None) or _current_term(trust)
        rows = lgc.board_reports(trust, term) if term else []
        return render(
            request,
            "governance/board_reports.html",
            {
                "trust": trust,
                "terms": terms,
                "term": term,
                "rows": [
                    (
                        body,
                        report,
                        lgc.content_for(request.user, body.school, report.content)
                        if report
                        else None,
                    )
                    for body, report in rows
                ],
            },
        )


class MeetingPapersView(ScopedViewMixin, View):
    def get(self, request, pk):
        meeting = _meeting(request, pk)
        data, frozen = papers.papers_for(request.user, meeting)
        return render(
            request,
            "governance/papers.html",
            {"meeting": meeting, "papers": papers.as_dates(data), "frozen": frozen},
        )


class MeetingPapersPdfView(ScopedViewMixin, View):
    """The frozen pack as stored; a meeting not yet held gets today's papers rendered now."""

    def get(self, request, pk):
        meeting = _meeting(request, pk)
        data, frozen = papers.papers_for(request.user, meeting)
        filename = f"meeting-{meeting.pk}-papers-{meeting.held_on:%Y-%m-%d}.pdf"
        if frozen is not None and frozen.pdf and rules.sees_frozen_pack(request.user, meeting):
            with frozen.pdf.open("rb") as handle:
                return pdf_response(handle.read(), filename)
        return pdf_response(papers.render_papers_pdf(data), filename)
