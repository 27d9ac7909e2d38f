from django.urls import path

from . import subject_views, views

app_name = "kpis"
urlpatterns = [
    path("kpis/definitions/", views.KpiDefinitionsView.as_view(), name="definitions"),
    path("schools/<int:pk>/kpis/", views.SchoolKpiView.as_view(), name="school-kpis"),
    path(
        "schools/<int:pk>/kpis/<slug:code>/similar-schools/",
        views.SimilarSchoolsView.as_view(),
        name="similar-schools",
    ),
    path("schools/<int:pk>/kpi-targets/", views.SchoolTargetsView.as_view(), name="school-targets"),
    path("trusts/<slug:slug>/kpi-targets/", views.TrustTargetsView.as_view(), name="trust-targets"),
    path(
        "trusts/<slug:slug>/results-by-subject/",
        subject_views.TrustSubjectResultsView.as_view(),
        name="trust-subjects",
    ),
    path(
        "schools/<int:pk>/results-by-subject/",
        subject_views.SchoolSubjectResultsView.as_view(),
        name="school-subjects",
    ),
]
