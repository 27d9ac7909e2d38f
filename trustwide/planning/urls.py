from django.urls import path

from .views import (
    consultation,
    exports,
    monitoring,
    msp_review,
    msp_year_review,
    plan_reviews,
    plans,
    publishing,
    review,
    strategic,
)

app_name = "planning"
urlpatterns = [
    # Trust level
    path(
        "trusts/<slug:slug>/strategic-plan/",
        strategic.StrategicPlanView.as_view(),
        name="strategic-plan",
    ),
    path(
        "trusts/<slug:slug>/strategic-plan/edit/",
        strategic.StrategicPlanEditView.as_view(),
        name="strategic-plan-edit",
    ),
    path(
        "trusts/<slug:slug>/strategic-plan/priorities/new/",
        strategic.TrustPriorityFormView.as_view(),
        name="trust-priority-create",
    ),
    path(
        "trusts/<slug:slug>/strategic-plan/rag/",
        msp_review.MspTermlyReviewView.as_view(),
        name="msp-termly-review",
    ),
    path(
        "trusts/<slug:slug>/strategic-plan/versions/",
        consultation.MspVersionListView.as_view(),
        name="msp-versions",
    ),
    path(
        "trusts/<slug:slug>/strategic-plan/versions/new/",
        consultation.MspVersionIssueView.as_view(),
        name="msp-version-issue",
    ),
    path(
        "trusts/<slug:slug>/strategic-plan/year-reviews/",
        msp_year_review.MspYearReviewListView.as_view(),
        name="msp-year-reviews",
    ),
    path(
        "trusts/<slug:slug>/strategic-plan/year-reviews/start/",
        msp_year_review.MspYearReviewStartView.as_view(),
        name="msp-year-review-start",
    ),
    path(
        "msp-year-reviews/<int:pk>/",
        msp_year_review.MspYearReviewView.as_view(),
        name="msp-year-review",
    ),
    path(
        "msp-year-reviews/<int:pk>/edit/",
        msp_year_review.MspYearReviewEditView.as_view(),
        name="msp-year-review-edit",
    ),
    path(
        "msp-year-reviews/<int:pk>/present/",
        msp_year_review.MspYearReviewPresentView.as_view(),
        name="msp-year-review-present",
    ),
    path("schools/<int:pk>/reviews/", plan_reviews.ReviewListView.as_view(), name="reviews"),
    path(
        "plans/<int:pk>/reviews/<str:kind>/start/",
        plan_reviews.ReviewStartView.as_view(),
        name="review-start",
    ),
    path("plan-reviews/<int:pk>/", plan_reviews.ReviewDetailView.as_view(), name="review-detail"),
    path("plan-reviews/<int:pk>/edit/", plan_reviews.ReviewEditView.as_view(), name="review-edit"),
    path(
        "plan-reviews/<int:pk>/submit/",
        plan_reviews.ReviewSubmitView.as_view(),
        name="review-submit",
    ),
    path(
        "plan-reviews/<int:pk>/scrutinise/",
        plan_reviews.ReviewScrutiniseView.as_view(),
        name="review-scrutinise",
    ),
    path("msp-versions/<int:pk>/", consultation.MspVersionView.as_view(), name="msp-version"),
    path(
        "msp-versions/<int:pk>/compare/",
        consultation.MspVersionCompareView.as_view(),
        name="msp-version-compare",
    ),
    path(
        "msp-versions/<int:pk>/approve/",
        consultation.MspVersionApproveView.as_view(),
        name="msp-version-approve",
    ),
    path(
        "msp-comments/<int:pk>/answer/",
        consultation.MspCommentAnswerView.as_view(),
        name="msp-comment-answer",
    ),
    path(
        "trusts/<slug:slug>/pocket-guide/publish/",
        publishing.TrustGuidePublishView.as_view(),
        name="pocket-guide-publish",
    ),
    path(
        "schools/<int:pk>/pocket-guide/publish/<str:kind>/",
        publishing.SchoolGuidePublishView.as_view(),
        name="school-pocket-guide-publish",
    ),
    path(
        "guide-publications/<int:pk>/public-link/",
        publishing.PublicLinkView.as_view(),
        name="guide-public-link",
    ),
    path(
        "public/pocket-guides/<str:token>/",
        publishing.PublicPocketGuideView.as_view(),
        name="public-pocket-guide",
    ),
    path(
        "trust-priorities/<int:pk>/edit/",
        strategic.TrustPriorityFormView.as_view(),
        name="trust-priority-edit",
    ),
    path(
        "trusts/<slug:slug>/pocket-guide/", strategic.PocketGuideView.as_view(), name="pocket-guide"
    ),
    path(
        "trusts/<slug:slug>/pocket-guide/edit/",
        strategic.PocketGuideEditView.as_view(),
        name="pocket-guide-edit",
    ),
    path(
        "trusts/<slug:slug>/monitoring-scale/",
        strategic.MonitoringScaleView.as_view(),
        name="monitoring-scale",
    ),
    path("trusts/<slug:slug>/plan-rollup/", strategic.RollupView.as_view(), name="rollup"),
    # School level
    path(
        "schools/<int:pk>/pocket-guide/",
        strategic.SchoolPocketGuideView.as_view(),
        name="school-pocket-guide",
    ),
    path(
        "schools/<int:pk>/pocket-guide.pdf",
        strategic.SchoolPocketGuidePdfView.as_view(),
        name="school-pocket-guide-pdf",
    ),
    path("schools/<int:pk>/plans/", plans.PlanListView.as_view(), name="plan-list"),
    path("schools/<int:pk>/plans/new/", plans.PlanCreateView.as_view(), name="plan-create"),
    # A plan
    path("plans/<int:pk>/", plans.PlanDetailView.as_view(), name="plan-detail"),
    path("plans/<int:pk>/edit/", plans.PlanEditView.as_view(), name="plan-edit"),
    path("plans/<int:pk>/plan.pdf", exports.PlanPdfView.as_view(), name="plan-pdf"),
    path("plans/<int:pk>/plan.xlsx", exports.PlanXlsxView.as_view(), name="plan-xlsx"),
    path("plans/<int:pk>/submit/", plans.PlanSubmitView.as_view(), name="plan-submit"),
    path(
        "plans/<int:pk>/override-smart/",
        plans.PlanSmartOverrideView.as_view(),
        name="plan-override-smart",
    ),
    path("plans/<int:pk>/agree/", plans.PlanAgreeView.as_view(), name="plan-agree"),
    path("plans/<int:pk>/return/", plans.PlanReturnView.as_view(), name="plan-return"),
    path("plans/<int:pk>/sign-off/", plans.PlanSignOffView.as_view(), name="plan-sign-off"),
    path(
        "plans/<int:pk>/trust-return/",
        plans.PlanTrustReturnView.as_view(),
        name="plan-trust-return",
    ),
    path(
        "plans/<int:pk>/board-agree/", plans.PlanBoardAgreeView.as_view(), name="plan-board-agree"
    ),
    path("plans/<int:pk>/evaluate/", plans.PlanEvaluateView.as_view(), name="plan-evaluate"),
    path("plans/<int:pk>/copy/", plans.PlanCopyView.as_view(), name="plan-copy"),
    path("plans/<int:pk>/review/", review.TermlyReviewView.as_view(), name="termly-review"),
    path(
        "plans/<int:pk>/objectives/new/",
        plans.StaffObjectiveCreateView.as_view(),
        name="objective-create",
    ),
    path(
        "objectives/<int:pk>/edit/", plans.StaffObjectiveEditView.as_view(), name="objective-edit"
    ),
    path(
        "plans/<int:plan_pk>/priorities/new/",
        plans.PriorityFormView.as_view(),
        name="priority-create",
    ),
    path("priorities/<int:pk>/edit/", plans.PriorityFormView.as_view(), name="priority-edit"),
    path(
        "priorities/<int:priority_pk>/actions/new/",
        plans.ActionFormView.as_view(),
        name="action-create",
    ),
    path("actions/<int:pk>/edit/", plans.ActionFormView.as_view(), name="action-edit"),
    path("actions/<int:pk>/progress/", plans.ActionProgressView.as_view(), name="action-progress"),
    path(
        "priorities/<int:priority_pk>/criteria/new/",
        plans.CriterionFormView.as_view(),
        name="criterion-create",
    ),
    path("criteria/<int:pk>/edit/", plans.CriterionFormView.as_view(), name="criterion-edit"),
    path(
        "priorities/<int:priority_pk>/milestones/new/",
        plans.MilestoneFormView.as_view(),
        name="milestone-create",
    ),
    path("milestones/<int:pk>/edit/", plans.MilestoneFormView.as_view(), name="milestone-edit"),
    path(
        "plan-items/<str:kind>/<int:pk>/delete/", plans.ItemDeleteView.as_view(), name="item-delete"
    ),
    # Monitoring
    path(
        "plans/<int:pk>/monitoring/",
        monitoring.MonitoringScheduleView.as_view(),
        name="monitoring-schedule",
    ),
    path(
        "plans/<int:pk>/monitoring/calendar/",
        monitoring.MonitoringCalendarView.as_view(),
        name="monitoring-calendar",
    ),
    path(
        "plans/<int:plan_pk>/monitoring/new/",
        monitoring.ActivityFormView.as_view(),
        name="activity-create",
    ),
    path("monitoring/<int:pk>/edit/", monitoring.ActivityFormView.as_view(), name="activity-edit"),
    path(
        "monitoring/<int:pk>/record/", monitoring.RecordCreateView.as_view(), name="record-create"
    ),
    path(
        "monitoring-records/<int:pk>/evidence/",
        monitoring.RecordEvidenceFileView.as_view(),
        name="record-evidence",
    ),
]
