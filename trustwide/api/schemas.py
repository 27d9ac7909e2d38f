"""Response and error schemas of the JSON API."""

from __future__ import annotations

import datetime
from typing import Annotated

from ninja import Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import Field

# Ids in paths and filters: bounded to the database's 64-bit keys, so a huge number is a 422,
# not a database error.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class Pages(LimitOffsetPagination):
    """The library's limit/offset pagination, with bounds (at most 1000 rows a page)."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=1000)
        offset: int = Field(0, ge=0, le=10_000_000)


class Error(Schema):
    detail: str


class FieldErrors(Schema):
    """Bad input: each field with its messages (`__all__` for the whole request)."""

    detail: dict[str, list[str]]


class TrustOut(Schema):
    id: int
    name: str
    slug: str


class HubOut(Schema):
    id: int
    trust_id: int
    name: str
    school_count: int


class SchoolOut(Schema):
    id: int
    trust_id: int
    hub_id: int | None
    urn: int
    name: str
    phase: str
    pupils_on_roll: int | None


class National(Schema):
    value: float
    academic_year: int | None
    exact: bool
    explanation: str


class Percentile(Schema):
    against: str  # "national" or "similar"
    comparison: str  # which schools, and the year of their published figures
    percentile: float | None
    n: int


class KpiReadingOut(Schema):
    kpi: str
    name: str
    unit: str
    school_id: int | None
    level: str
    academic_year: int
    period: str
    group: str
    computed: bool
    value: float | None
    n: int
    suppressed: bool
    target: float | None
    target_source: str
    last_year: float | None
    change: float | None
    national: National | None
    percentiles: list[Percentile]


class RiskOut(Schema):
    id: int
    trust_id: int
    school_id: int | None
    title: str
    category: str
    inherent_score: int
    residual_score: int
    review_on: datetime.date
    status: str


class MeetingActionOut(Schema):
    id: int
    meeting_id: int
    description: str
    owner: str | None
    due_on: datetime.date | None
    status: str
    completed_on: datetime.date | None


class MeetingOut(Schema):
    id: int
    body: str
    trust_id: int
    school_id: int | None
    held_on: datetime.date
    title: str
    status: str
    actions: list[MeetingActionOut]


class ImportOut(Schema):
    id: int
    trust_id: int
    school_id: int | None
    dataset: str
    academic_year: int
    file_name: str
    status: str
    rows: int | None
    error_count: int | None
    errors: list[str]


class TermRag(Schema):
    term: str
    rating: str | None


class CriterionOut(Schema):
    id: int
    description: str
    measure: str
    baseline: str
    target: str
    target_date: datetime.date | None
    kpi_code: str
    kpi_group: str  # the KPI's pupil group or gap ('' = all pupils)
    rag: list[TermRag]


class PriorityOut(Schema):
    id: int
    number: int
    title: str
    rag: list[TermRag]
    criteria: list[CriterionOut]


class PlanOut(Schema):
    id: int
    school_id: int
    academic_year: int
    kind: str
    title: str
    status: str


class PlanDetailOut(PlanOut):
    priorities: list[PriorityOut]


class ValidationOut(Schema):
    validator: str
    role: str
    agrees: bool
    grade: str
    validated_on: datetime.date


class JudgementOut(Schema):
    area: str
    grade: str
    validations: list[ValidationOut]


class SefOut(Schema):
    id: int
    school_id: int
    academic_year: int
    framework: str
    status: str


class SefDetailOut(SefOut):
    judgements: list[JudgementOut]
