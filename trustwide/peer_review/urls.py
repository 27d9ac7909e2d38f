from django.urls import path

from . import edit_views, views

app_name = "peer_review"
urlpatterns = [
    path("trusts/<slug:slug>/peer-review/", views.OverviewView.as_view(), name="overview"),
    path("trusts/<slug:slug>/peer-review/rota/", views.RotaView.as_view(), name="rota"),
    path(
        "trusts/<slug:slug>/peer-review/external/new/",
        views.ExternalReviewCreateView.as_view(),
        name="external-create",
    ),
    path("peer-review/reviews/<int:pk>/", views.ReviewDetailView.as_view(), name="review-detail"),
    path("peer-review/reviews/<int:pk>/edit/", views.ReviewEditView.as_view(), name="review-edit"),
    path(
        "peer-review/reviews/<int:pk>/reviewers/new/",
        views.ReviewerAddView.as_view(),
        name="reviewer-add",
    ),
    path(
        "peer-review/reviews/<int:pk>/findings/new/",
        views.FindingCreateView.as_view(),
        name="finding-create",
    ),
    path(
        "peer-review/reviews/<int:pk>/actions/new/",
        views.ReviewActionCreateView.as_view(),
        name="action-create",
    ),
    path(
        "peer-review/reviews/<int:pk>/report/", views.ReportEditView.as_view(), name="report-edit"
    ),
    path(
        "peer-review/reviews/<int:pk>/report.pdf", views.ReportPdfView.as_view(), name="report-pdf"
    ),
    path(
        "peer-review/reviews/<int:pk>/agree/", views.ReportAgreeView.as_view(), name="report-agree"
    ),
    path(
        "peer-review/actions/<int:pk>/to-plan/",
        views.ActionToPlanView.as_view(),
        name="action-to-plan",
    ),
    path(
        "peer-review/reviewers/<int:pk>/remove/",
        edit_views.ReviewerRemoveView.as_view(),
        name="reviewer-remove",
    ),
    path(
        "peer-review/findings/<int:pk>/edit/",
        edit_views.FindingEditView.as_view(),
        name="finding-edit",
    ),
    path(
        "peer-review/findings/<int:pk>/delete/",
        edit_views.FindingDeleteView.as_view(),
        name="finding-delete",
    ),
    path(
        "peer-review/actions/<int:pk>/edit/",
        edit_views.ReviewActionEditView.as_view(),
        name="action-edit",
    ),
    path(
        "peer-review/actions/<int:pk>/delete/",
        edit_views.ReviewActionDeleteView.as_view(),
        name="action-delete",
    ),
    path("schools/<int:pk>/peer-review/", views.SchoolView.as_view(), name="school"),
    path("trusts/<slug:slug>/support/", views.SupportView.as_view(), name="support"),
    path(
        "trusts/<slug:slug>/support/assess/",
        views.SupportAssessView.as_view(),
        name="support-assess",
    ),
    path("trusts/<slug:slug>/support/rule/", views.SupportRuleView.as_view(), name="support-rule"),
    path(
        "trusts/<slug:slug>/support/non-negotiables/new/",
        views.NonNegotiableCreateView.as_view(),
        name="non-negotiable-create",
    ),
    path(
        "trusts/<slug:slug>/support/collaborations/new/",
        views.CollaborationCreateView.as_view(),
        name="collaboration-create",
    ),
    path(
        "peer-review/non-negotiables/<int:pk>/edit/",
        edit_views.NonNegotiableEditView.as_view(),
        name="non-negotiable-edit",
    ),
    path(
        "peer-review/non-negotiables/<int:pk>/delete/",
        edit_views.NonNegotiableDeleteView.as_view(),
        name="non-negotiable-delete",
    ),
    path(
        "peer-review/collaborations/<int:pk>/edit/",
        edit_views.CollaborationEditView.as_view(),
        name="collaboration-edit",
    ),
    path(
        "peer-review/collaborations/<int:pk>/delete/",
        edit_views.CollaborationDeleteView.as_view(),
        name="collaboration-delete",
    ),
    path(
        "trusts/<slug:slug>/expertise/mine/",
        views.ExpertiseMineView.as_view(),
        name="expertise-mine",
    ),
    path(
        "trusts/<slug:slug>/expertise/",
        views.ExpertiseRegisterView.as_view(),
        name="expertise-register",
    ),
    path(
        "trusts/<slug:slug>/deployments/new/",
        views.DeploymentCreateView.as_view(),
        name="deployment-create",
    ),
    path(
        "peer-review/deployments/<int:pk>/edit/",
        views.DeploymentEditView.as_view(),
        name="deployment-edit",
    ),
]
