from django.urls import path

from . import views

app_name = "evaluation"
urlpatterns = [
    # A school's self-evaluations
    path(
        "schools/<int:pk>/self-evaluation/", views.SchoolSefListView.as_view(), name="school-sefs"
    ),
    path("schools/<int:pk>/self-evaluation/new/", views.SefCreateView.as_view(), name="sef-create"),
    path("self-evaluations/<int:pk>/", views.SefDetailView.as_view(), name="sef-detail"),
    path("self-evaluations/<int:pk>/history/", views.SefHistoryView.as_view(), name="sef-history"),
    path(
        "self-evaluations/<int:pk>/areas/<slug:area>/edit/",
        views.JudgementEditView.as_view(),
        name="judgement-edit",
    ),
    path(
        "self-evaluations/<int:pk>/areas/<slug:area>/validate/",
        views.ValidationCreateView.as_view(),
        name="validation-create",
    ),
    path("self-evaluations/<int:pk>/submit/", views.SefSubmitView.as_view(), name="sef-submit"),
    path(
        "self-evaluations/<int:pk>/validate/", views.SefValidateView.as_view(), name="sef-validate"
    ),
    path("self-evaluations/<int:pk>/reopen/", views.SefReopenView.as_view(), name="sef-reopen"),
    path(
        "self-evaluations/<int:pk>/next-year/",
        views.SefNextYearView.as_view(),
        name="sef-next-year",
    ),
    path(
        "self-evaluations/<int:pk>/evidence/new/",
        views.EvidenceCreateView.as_view(),
        name="evidence-create",
    ),
    path("self-evaluations/<int:pk>/export.pdf", views.SefPdfView.as_view(), name="sef-pdf"),
    path("self-evaluations/<int:pk>/export.docx", views.SefDocxView.as_view(), name="sef-docx"),
    path("evidence/<int:pk>/file/", views.EvidenceFileView.as_view(), name="evidence-file"),
    path("evidence/<int:pk>/delete/", views.EvidenceDeleteView.as_view(), name="evidence-delete"),
    # Across the trust
    path(
        "trusts/<slug:slug>/self-evaluation/", views.TrustMatrixView.as_view(), name="trust-matrix"
    ),
    path(
        "trusts/<slug:slug>/self-evaluation/matrix.xlsx",
        views.TrustMatrixXlsxView.as_view(),
        name="trust-matrix-xlsx",
    ),
    path(
        "trusts/<slug:slug>/self-evaluation/themes/",
        views.TrustThemesView.as_view(),
        name="trust-themes",
    ),
    # Frameworks
    path(
        "trusts/<slug:slug>/frameworks/", views.FrameworkListView.as_view(), name="framework-list"
    ),
    path(
        "trusts/<slug:slug>/frameworks/<int:pk>/",
        views.FrameworkDetailView.as_view(),
        name="framework-detail",
    ),
    path(
        "trusts/<slug:slug>/frameworks/<int:pk>/copy/",
        views.FrameworkCopyView.as_view(),
        name="framework-copy",
    ),
    path(
        "trusts/<slug:slug>/frameworks/<int:pk>/edit/",
        views.FrameworkEditView.as_view(),
        name="framework-edit",
    ),
    # The trust's self-review
    path(
        "trusts/<slug:slug>/self-review/",
        views.TrustSelfReviewListView.as_view(),
        name="trust-self-review-list",
    ),
    path(
        "trusts/<slug:slug>/self-review/new/",
        views.TrustSelfReviewCreateView.as_view(),
        name="trust-self-review-create",
    ),
    path(
        "trust-self-reviews/<int:pk>/",
        views.TrustSelfReviewDetailView.as_view(),
        name="trust-self-review-detail",
    ),
    path(
        "trust-self-reviews/<int:pk>/statements/<slug:area>/edit/",
        views.TrustStatementEditView.as_view(),
        name="trust-statement-edit",
    ),
]
