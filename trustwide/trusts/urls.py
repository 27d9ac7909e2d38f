from django.urls import path

from . import views, views_calendar, views_schools

app_name = "trusts"
urlpatterns = [
    path("trusts/<slug:slug>/", views.TrustDetailView.as_view(), name="trust-detail"),
    path(
        "trusts/<slug:slug>/years/",
        views_calendar.AcademicYearListView.as_view(),
        name="year-list",
    ),
    path(
        "trusts/<slug:slug>/years/add/",
        views_calendar.AcademicYearCreateView.as_view(),
        name="year-add",
    ),
    path("years/<int:pk>/terms/", views_calendar.TermDatesView.as_view(), name="year-terms"),
    path(
        "years/<int:pk>/make-current/",
        views_calendar.AcademicYearMakeCurrentView.as_view(),
        name="year-make-current",
    ),
    path(
        "years/<int:year_pk>/closures/add/",
        views_calendar.ClosureDayAddView.as_view(),
        name="closure-add",
    ),
    path(
        "closures/<int:pk>/delete/",
        views_calendar.ClosureDayDeleteView.as_view(),
        name="closure-delete",
    ),
    path(
        "schools/<int:pk>/calendar/",
        views_calendar.SchoolCalendarView.as_view(),
        name="school-calendar",
    ),
    path(
        "schools/<int:pk>/years/<int:year_pk>/terms/",
        views_calendar.SchoolTermsView.as_view(),
        name="school-terms",
    ),
    path(
        "schools/<int:pk>/years/<int:year_pk>/terms/clear/",
        views_calendar.SchoolTermsClearView.as_view(),
        name="school-terms-clear",
    ),
    path(
        "schools/<int:pk>/years/<int:year_pk>/closures/add/",
        views_calendar.ClosureDayAddView.as_view(),
        name="school-closure-add",
    ),
    path("hubs/<int:pk>/", views.HubDetailView.as_view(), name="hub-detail"),
    path("schools/", views.SchoolListView.as_view(), name="school-list"),
    path("schools/<int:pk>/", views.SchoolDetailView.as_view(), name="school-detail"),
    path("schools/<int:pk>/edit/", views.SchoolUpdateView.as_view(), name="school-edit"),
    path(
        "trusts/<slug:slug>/schools/add/",
        views_schools.SchoolCreateView.as_view(),
        name="school-add",
    ),
    path(
        "trusts/<slug:slug>/schools/import/",
        views_schools.GiasImportView.as_view(),
        name="gias-import",
    ),
    path("trusts/<slug:slug>/hubs/add/", views_schools.HubCreateView.as_view(), name="hub-add"),
    path("hubs/<int:pk>/edit/", views_schools.HubUpdateView.as_view(), name="hub-edit"),
    path("schools/<int:pk>/close/", views_schools.SchoolCloseView.as_view(), name="school-close"),
    path(
        "schools/<int:pk>/inspections/add/",
        views.InspectionCreateView.as_view(),
        name="inspection-add",
    ),
]
