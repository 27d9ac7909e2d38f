from django.urls import path

from . import views

app_name = "risks"
urlpatterns = [
    path("schools/<int:pk>/risks/", views.SchoolRegisterView.as_view(), name="school-register"),
    path("schools/<int:pk>/risks/new/", views.RiskCreateView.as_view(), name="school-risk-create"),
    path(
        "schools/<int:pk>/risks/export.<str:fmt>",
        views.SchoolExportView.as_view(),
        name="school-export",
    ),
    path("trusts/<slug:slug>/risks/", views.TrustRegisterView.as_view(), name="trust-register"),
    path("trusts/<slug:slug>/risks/new/", views.RiskCreateView.as_view(), name="trust-risk-create"),
    path("trusts/<slug:slug>/risks/threshold/", views.ThresholdView.as_view(), name="threshold"),
    path(
        "trusts/<slug:slug>/risks/export.<str:fmt>",
        views.TrustExportView.as_view(),
        name="trust-export",
    ),
    path("risks/<int:pk>/", views.RiskDetailView.as_view(), name="risk-detail"),
    path("risks/<int:pk>/edit/", views.RiskEditView.as_view(), name="risk-edit"),
    path("risks/<int:pk>/review/", views.RiskReviewView.as_view(), name="risk-review"),
    path("risks/<int:pk>/delete/", views.RiskDeleteView.as_view(), name="risk-delete"),
]
