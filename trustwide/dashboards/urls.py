from django.urls import path

from . import tracking, views

app_name = "dashboards"
urlpatterns = [
    path(
        "trusts/<slug:slug>/dashboard/", views.TrustDashboardView.as_view(), name="trust-dashboard"
    ),
    path("trusts/<slug:slug>/concerns/", views.TrustConcernsView.as_view(), name="trust-concerns"),
    path("trusts/<slug:slug>/concern-rule/", views.ConcernRuleView.as_view(), name="concern-rule"),
    path("trusts/<slug:slug>/board-report/", views.BoardReportView.as_view(), name="board-report"),
    path(
        "trusts/<slug:slug>/board-report.pdf",
        views.BoardReportPdfView.as_view(),
        name="board-report-pdf",
    ),
    path(
        "trusts/<slug:slug>/board-report.xlsx",
        views.BoardReportXlsxView.as_view(),
        name="board-report-xlsx",
    ),
    path(
        "schools/<int:pk>/dashboard/", views.SchoolDashboardView.as_view(), name="school-dashboard"
    ),
    path(
        "schools/<int:pk>/dashboard/<slug:group>/", views.YearGroupView.as_view(), name="year-group"
    ),
    path("schools/<int:pk>/tracking/", tracking.TrackingView.as_view(), name="tracking"),
    path(
        "schools/<int:pk>/tracking/<int:year_group>/<str:subject>/",
        tracking.TrackingPupilsView.as_view(),
        name="tracking-pupils",
    ),
    path("schools/<int:pk>/concerns/", views.SchoolConcernsView.as_view(), name="school-concerns"),
    path(
        "schools/<int:pk>/concerns/to-plan/",
        views.ConcernToPriorityView.as_view(),
        name="concern-to-priority",
    ),
    path("schools/<int:pk>/head-report/", views.HeadReportView.as_view(), name="head-report"),
    path(
        "schools/<int:pk>/head-report.pdf",
        views.HeadReportPdfView.as_view(),
        name="head-report-pdf",
    ),
    path(
        "schools/<int:pk>/head-report/commentary/",
        views.CommentaryEditView.as_view(),
        name="head-report-commentary",
    ),
]
