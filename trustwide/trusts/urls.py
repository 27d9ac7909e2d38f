from django.urls import path

from . import views

app_name = "trusts"
urlpatterns = [
    path("trusts/<slug:slug>/", views.TrustDetailView.as_view(), name="trust-detail"),
    path("trusts/<slug:slug>/years/", views.AcademicYearListView.as_view(), name="year-list"),
    path("trusts/<slug:slug>/years/add/", views.AcademicYearCreateView.as_view(), name="year-add"),
    path("years/<int:pk>/terms/", views.TermDatesView.as_view(), name="year-terms"),
    path("years/<int:pk>/make-current/", views.AcademicYearMakeCurrentView.as_view(), name="year-make-current"),
    path("hubs/<int:pk>/", views.HubDetailView.as_view(), name="hub-detail"),
    path("schools/", views.SchoolListView.as_view(), name="school-list"),
    path("schools/<int:pk>/", views.SchoolDetailView.as_view(), name="school-detail"),
    path("schools/<int:pk>/edit/", views.SchoolUpdateView.as_view(), name="school-edit"),
    path("schools/<int:pk>/inspections/add/", views.InspectionCreateView.as_view(), name="inspection-add"),
]
