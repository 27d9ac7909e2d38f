from django.urls import path

from . import views

app_name = "policies"
urlpatterns = [
    path("trusts/<slug:slug>/policies/", views.TrustRegisterView.as_view(), name="trust-register"),
    path(
        "trusts/<slug:slug>/policies/new/",
        views.PolicyCreateView.as_view(),
        name="trust-policy-create",
    ),
    path(
        "trusts/<slug:slug>/policies/export.xlsx",
        views.TrustExportView.as_view(),
        name="trust-export",
    ),
    path("schools/<int:pk>/policies/", views.SchoolRegisterView.as_view(), name="school-register"),
    path(
        "schools/<int:pk>/policies/new/",
        views.PolicyCreateView.as_view(),
        name="school-policy-create",
    ),
    path(
        "schools/<int:pk>/policies/export.xlsx",
        views.SchoolExportView.as_view(),
        name="school-export",
    ),
    path("policies/<int:pk>/", views.PolicyDetailView.as_view(), name="policy-detail"),
    path("policies/<int:pk>/edit/", views.PolicyEditView.as_view(), name="policy-edit"),
    path("policies/<int:pk>/review/", views.PolicyReviewView.as_view(), name="policy-review"),
    path("policies/<int:pk>/retire/", views.PolicyRetireView.as_view(), name="policy-retire"),
    path("policies/<int:pk>/delete/", views.PolicyDeleteView.as_view(), name="policy-delete"),
]
