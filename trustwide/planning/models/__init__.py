from .consultation import ConsultationComment, MspVersion
from .monitoring import (
    DEFAULT_SCALE,
    ActivityKind,
    MonitoringActivity,
    MonitoringRecord,
    MonitoringScale,
)
from .msp_review import MspRating
from .msp_year_review import MspReviewStatus, MspYearReview
from .objectives import StaffObjective
from .plan_review import PlanReview, ReviewKind, ReviewStatus
from .plans import (
    NUMERIC_MEASURES,
    OPEN_ACTION_STATUSES,
    Action,
    ActionStatus,
    MeasureKind,
    Milestone,
    PlanStatus,
    Priority,
    SchoolPlan,
    SuccessCriterion,
    parse_number,
)
from .publishing import GuideKind, GuidePublication
from .review import Rag, RagRating, RatedKind
from .signoff import PlanReturn, ReturnStage
from .strategic import (
    IndicatorStage,
    PlanKind,
    PocketGuide,
    PocketGuideItem,
    StrategicPlan,
    SuccessIndicator,
    TrustPriority,
)

__all__ = [
    "DEFAULT_SCALE",
    "NUMERIC_MEASURES",
    "OPEN_ACTION_STATUSES",
    "Action",
    "ActionStatus",
    "ActivityKind",
    "GuideKind",
    "GuidePublication",
    "ConsultationComment",
    "MspRating",
    "MspReviewStatus",
    "MspYearReview",
    "MspVersion",
    "IndicatorStage",
    "MeasureKind",
    "Milestone",
    "MonitoringActivity",
    "MonitoringRecord",
    "MonitoringScale",
    "PlanKind",
    "PlanReturn",
    "PlanReview",
    "ReviewKind",
    "ReviewStatus",
    "PlanStatus",
    "ReturnStage",
    "PocketGuide",
    "PocketGuideItem",
    "Priority",
    "Rag",
    "RagRating",
    "RatedKind",
    "SchoolPlan",
    "StaffObjective",
    "StrategicPlan",
    "SuccessCriterion",
    "SuccessIndicator",
    "TrustPriority",
    "parse_number",
]
