"""History rules (see trustwide/audit/history.py): plans, the strategic plan and monitoring are
shown to whoever holds their view permission where they hang on the scope tree."""

from trustwide.audit.history import all_by_view_permission

from .models import (
    Action,
    ConsultationComment,
    GuidePublication,
    Milestone,
    MonitoringActivity,
    MonitoringRecord,
    MonitoringScale,
    MspRating,
    MspVersion,
    MspYearReview,
    PlanReturn,
    PlanReview,
    PocketGuide,
    PocketGuideItem,
    Priority,
    RagRating,
    SchoolPlan,
    StaffObjective,
    StrategicPlan,
    SuccessCriterion,
    SuccessIndicator,
    TrustPriority,
)

VISIBLE = all_by_view_permission(
    SchoolPlan,
    Priority,
    Action,
    Milestone,
    SuccessCriterion,
    RagRating,
    StaffObjective,
    MonitoringScale,
    MonitoringActivity,
    MonitoringRecord,
    StrategicPlan,
    TrustPriority,
    SuccessIndicator,
    PocketGuide,
    PocketGuideItem,
    PlanReturn,
    MspVersion,
    ConsultationComment,
    GuidePublication,
    MspRating,
    PlanReview,
    MspYearReview,
)
