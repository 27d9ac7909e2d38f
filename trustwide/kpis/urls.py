from django.urls import path

from . import views

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
]
