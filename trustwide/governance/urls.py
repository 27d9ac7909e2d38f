from django.urls import path

from . import edit_views, lgc_views, views

app_name = "governance"
urlpatterns = [
    path("trusts/<slug:slug>/governance/", views.TrustGovernanceView.as_view(), name="trust"),
    path(
        "trusts/<slug:slug>/governance/bodies/new/",
        views.BodyCreateView.as_view(),
        name="body-create",
    ),
    path(
        "trusts/<slug:slug>/governance/members/new/",
        views.MemberAddView.as_view(),
        name="member-add",
    ),
    path("trusts/<slug:slug>/governance/skills/", views.SkillsView.as_view(), name="skills"),
    path(
        "trusts/<slug:slug>/governance/training/new/",
        views.TrainingAddView.as_view(),
        name="training-add",
    ),
    path("trusts/<slug:slug>/cycle/", views.CycleView.as_view(), name="cycle"),
    path(
        "trusts/<slug:slug>/cycle/items/new/",
        views.CycleItemCreateView.as_view(),
        name="cycle-item-create",
    ),
    path(
        "trusts/<slug:slug>/cycle/generate/",
        views.CycleGenerateView.as_view(),
        name="cycle-generate",
    ),
    path(
        "trusts/<slug:slug>/cycle/tasks/", edit_views.TrustTasksView.as_view(), name="trust-tasks"
    ),
    path("governing-bodies/<int:pk>/", views.BodyDetailView.as_view(), name="body-detail"),
    path("governing-bodies/<int:pk>/edit/", edit_views.BodyEditView.as_view(), name="body-edit"),
    path(
        "governing-bodies/<int:pk>/delete/", edit_views.BodyDeleteView.as_view(), name="body-delete"
    ),
    path(
        "governing-bodies/<int:pk>/meetings/new/",
        views.MeetingCreateView.as_view(),
        name="meeting-create",
    ),
    path("body-members/<int:pk>/edit/", edit_views.MemberEditView.as_view(), name="member-edit"),
    path(
        "body-members/<int:pk>/delete/", edit_views.MemberDeleteView.as_view(), name="member-delete"
    ),
    path("meetings/<int:pk>/", views.MeetingDetailView.as_view(), name="meeting-detail"),
    path("meetings/<int:pk>/edit/", edit_views.MeetingEditView.as_view(), name="meeting-edit"),
    path(
        "meetings/<int:pk>/delete/", edit_views.MeetingDeleteView.as_view(), name="meeting-delete"
    ),
    path(
        "meetings/<int:pk>/agenda/new/", views.AgendaItemAddView.as_view(), name="agenda-item-add"
    ),
    path("meetings/<int:pk>/minutes/new/", views.MinuteAddView.as_view(), name="minute-add"),
    path("meetings/<int:pk>/attendance/", views.AttendanceView.as_view(), name="attendance"),
    path("meetings/<int:pk>/actions/new/", views.ActionAddView.as_view(), name="action-add"),
    path(
        "agenda-items/<int:pk>/edit/",
        edit_views.AgendaItemEditView.as_view(),
        name="agenda-item-edit",
    ),
    path(
        "agenda-items/<int:pk>/delete/",
        edit_views.AgendaItemDeleteView.as_view(),
        name="agenda-item-delete",
    ),
    path("minutes/<int:pk>/edit/", edit_views.MinuteEditView.as_view(), name="minute-edit"),
    path("minutes/<int:pk>/delete/", edit_views.MinuteDeleteView.as_view(), name="minute-delete"),
    path(
        "governance-actions/<int:pk>/complete/",
        views.ActionCompleteView.as_view(),
        name="action-complete",
    ),
    path(
        "governance-actions/<int:pk>/edit/", edit_views.ActionEditView.as_view(), name="action-edit"
    ),
    path(
        "governance-actions/<int:pk>/reopen/",
        edit_views.ActionReopenView.as_view(),
        name="action-reopen",
    ),
    path(
        "cycle-items/<int:pk>/edit/", edit_views.CycleItemEditView.as_view(), name="cycle-item-edit"
    ),
    path(
        "cycle-items/<int:pk>/delete/",
        edit_views.CycleItemDeleteView.as_view(),
        name="cycle-item-delete",
    ),
    path("cycle-tasks/<int:pk>/assign/", edit_views.TaskAssignView.as_view(), name="task-assign"),
    path("schools/<int:pk>/governor-visits/", views.VisitListView.as_view(), name="visit-list"),
    path(
        "schools/<int:pk>/governor-visits/new/",
        views.VisitCreateView.as_view(),
        name="visit-create",
    ),
    path(
        "schools/<int:pk>/cycle-tasks/", edit_views.SchoolTasksView.as_view(), name="school-tasks"
    ),
    path("governor-visits/<int:pk>/edit/", edit_views.VisitEditView.as_view(), name="visit-edit"),
    path(
        "governance-training/<int:pk>/delete/",
        edit_views.TrainingDeleteView.as_view(),
        name="training-delete",
    ),
    path(
        "governing-bodies/<int:pk>/lgc-reports/new/",
        lgc_views.LgcReportCreateView.as_view(),
        name="lgc-report-create",
    ),
    path(
        "lgc-reports/<int:pk>/", lgc_views.LgcReportDetailView.as_view(), name="lgc-report-detail"
    ),
    path(
        "lgc-reports/<int:pk>/edit/", lgc_views.LgcReportEditView.as_view(), name="lgc-report-edit"
    ),
    path(
        "lgc-reports/<int:pk>/conflicts/new/",
        lgc_views.ConflictAddView.as_view(),
        name="lgc-conflict-add",
    ),
    path(
        "lgc-reports/<int:pk>/submit/",
        lgc_views.LgcReportSubmitView.as_view(),
        name="lgc-report-submit",
    ),
    path("lgc-reports/<int:pk>/reply/", lgc_views.ReplyView.as_view(), name="lgc-report-reply"),
    path(
        "trusts/<slug:slug>/governance/lgc-reports/",
        lgc_views.BoardReportsView.as_view(),
        name="board-reports",
    ),
    path("meetings/<int:pk>/papers/", lgc_views.MeetingPapersView.as_view(), name="meeting-papers"),
    path(
        "meetings/<int:pk>/papers.pdf",
        lgc_views.MeetingPapersPdfView.as_view(),
        name="meeting-papers-pdf",
    ),
    path("my/tasks/", views.MyTasksView.as_view(), name="my-tasks"),
    path("my/tasks/<int:pk>/done/", views.TaskCompleteView.as_view(), name="task-complete"),
    path("my/calendar/", views.CalendarView.as_view(), name="calendar"),
    path("calendar/<str:token>.ics", views.CalendarFeedView.as_view(), name="calendar-feed"),
]
