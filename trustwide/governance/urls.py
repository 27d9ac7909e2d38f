from django.urls import path

from . import views

app_name = "governance"
urlpatterns = [
    path("trusts/<slug:slug>/governance/", views.TrustGovernanceView.as_view(), name="trust"),
    path("trusts/<slug:slug>/governance/bodies/new/", views.BodyCreateView.as_view(), name="body-create"),
    path("trusts/<slug:slug>/governance/members/new/", views.MemberAddView.as_view(), name="member-add"),
    path("trusts/<slug:slug>/governance/skills/", views.SkillsView.as_view(), name="skills"),
    path("trusts/<slug:slug>/governance/training/new/", views.TrainingAddView.as_view(), name="training-add"),
    path("trusts/<slug:slug>/cycle/", views.CycleView.as_view(), name="cycle"),
    path("trusts/<slug:slug>/cycle/items/new/", views.CycleItemCreateView.as_view(), name="cycle-item-create"),
    path("trusts/<slug:slug>/cycle/generate/", views.CycleGenerateView.as_view(), name="cycle-generate"),
    path("governing-bodies/<int:pk>/", views.BodyDetailView.as_view(), name="body-detail"),
    path("governing-bodies/<int:pk>/meetings/new/", views.MeetingCreateView.as_view(), name="meeting-create"),
    path("meetings/<int:pk>/", views.MeetingDetailView.as_view(), name="meeting-detail"),
    path("meetings/<int:pk>/agenda/new/", views.AgendaItemAddView.as_view(), name="agenda-item-add"),
    path("meetings/<int:pk>/minutes/new/", views.MinuteAddView.as_view(), name="minute-add"),
    path("meetings/<int:pk>/attendance/", views.AttendanceView.as_view(), name="attendance"),
    path("meetings/<int:pk>/actions/new/", views.ActionAddView.as_view(), name="action-add"),
    path("governance-actions/<int:pk>/complete/", views.ActionCompleteView.as_view(), name="action-complete"),
    path("schools/<int:pk>/governor-visits/", views.VisitListView.as_view(), name="visit-list"),
    path("schools/<int:pk>/governor-visits/new/", views.VisitCreateView.as_view(), name="visit-create"),
    path("my/tasks/", views.MyTasksView.as_view(), name="my-tasks"),
    path("my/tasks/<int:pk>/done/", views.TaskCompleteView.as_view(), name="task-complete"),
    path("my/calendar/", views.CalendarView.as_view(), name="calendar"),
    path("calendar/<str:token>.ics", views.CalendarFeedView.as_view(), name="calendar-feed"),
]
