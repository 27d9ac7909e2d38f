"""Read path for the risk register: school registers, the trust register with the roll-up,
the heatmap and movement since the last review. Fixed query counts."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from trustwide.access import Perm, restrict
from trustwide.trusts.models import School

from . import rules
from .models import DEFAULT_THRESHOLD, Risk, RiskReview, RiskSettings, RiskStatus, band

ACTIVE = (RiskStatus.OPEN, RiskStatus.TOLERATED)


def visible_risks(user, perm: str = Perm.RISK_VIEW) -> QuerySet:
    """School risks in the user's school scope, and trust risks where the user holds `perm`
    at trust level (or, to read them, at hub level): Risk's trust-wide rows, through access."""
    return restrict(Risk.objects.all(), user, perm)


may_see_trust_register = (
    rules.may_see_trust_register
)  # kept here for the tests that ask the selectors


def register_schools(user, trust) -> set[int] | None:
    """The schools whose risks the user's view of the trust register rolls up: None for all
    (trust-level readers), else the schools in their scope (an EHT's hub)."""
    if rules.sees_whole_trust_register(user, trust):
        return None
    return set(
        restrict(School.objects.filter(trust=trust), user, Perm.RISK_VIEW).values_list(
            "pk", flat=True
        )
    )


def threshold_for(trust) -> int:
    value = (
        RiskSettings.objects.filter(trust=trust).values_list("rollup_threshold", flat=True).first()
    )
    return value or DEFAULT_THRESHOLD


def _with_related(qs: QuerySet) -> QuerySet:
    return qs.select_related("school", "owner", "mitigating_action")


def school_register(school) -> list[Risk]:
    risks = list(
        _with_related(Risk.objects.filter(school=school)).order_by(
            "status", "-residual_score", "title"
        )
    )
    attach_movement(risks)
    return risks


def _of_schools(qs: QuerySet, schools: set[int] | None) -> QuerySet:
    """School risks of the schools in the trust today (a closed school's register stays on its
    own page, out of the roll-up), limited to `schools` when given."""
    qs = qs.filter(school__in=School.objects.open_on(timezone.localdate()))
    return qs if schools is None else qs.filter(school_id__in=schools)


def trust_register(trust, schools: set[int] | None = None) -> tuple[list[Risk], list[Risk], int]:
    """(trust risks, school risks rolled up at or above the threshold, threshold). `schools`
    limits the roll-up to those schools (None: every school of the trust)."""
    threshold = threshold_for(trust)
    own = list(
        _with_related(Risk.objects.filter(trust=trust, school__isnull=True)).order_by(
            "status", "-residual_score"
        )
    )
    rolled = list(
        _with_related(
            _of_schools(
                Risk.objects.filter(
                    trust=trust,
                    school__isnull=False,
                    status__in=ACTIVE,
                    residual_score__gte=threshold,
                ),
                schools,
            )
        ).order_by("-residual_score", "school__name")
    )
    attach_movement(own + rolled)
    return own, rolled, threshold


def attach_movement(risks: list[Risk]) -> None:
    """Set risk.previous_score (the score at the review before the latest) and risk.movement
    ("up", "down", "same" or "new"). One query for any number of risks."""
    ids = [r.pk for r in risks]
    by_risk: dict[int, list[int]] = {}
    for risk_id, score in (
        RiskReview.objects.filter(risk_id__in=ids)
        .order_by("risk_id", "-reviewed_on", "-pk")
        .values_list("risk_id", "score")
    ):
        by_risk.setdefault(risk_id, []).append(score)
    for r in risks:
        scores = by_risk.get(r.pk, [])
        previous = scores[1] if len(scores) > 1 else None
        r.previous_score = previous
        if previous is None:
            r.movement = "new"
        elif r.residual_score > previous:
            r.movement = "up"
        elif r.residual_score < previous:
            r.movement = "down"
        else:
            r.movement = "same"


MOVEMENT_WORDS = {"up": "Worse", "down": "Better", "same": "No change", "new": "New"}


@dataclass
class Heatmap:
    """Counts of active risks by residual likelihood (rows, 5 at the top) and impact (columns)."""

    cells: dict[tuple[int, int], int] = field(default_factory=dict)
    movement: dict[str, int] = field(
        default_factory=lambda: {"up": 0, "down": 0, "same": 0, "new": 0}
    )
    total: int = 0

    def rows(self):
        for likelihood in range(5, 0, -1):
            yield (
                likelihood,
                [
                    (impact, self.cells.get((likelihood, impact), 0), *band(likelihood * impact))
                    for impact in range(1, 6)
                ],
            )

    def count(self, likelihood: int, impact: int) -> int:
        return self.cells.get((likelihood, impact), 0)

    @property
    def by_band(self) -> dict[str, int]:
        out = {"High": 0, "Medium": 0, "Low": 0}
        for (likelihood, impact), n in self.cells.items():
            out[band(likelihood * impact)[1]] += n
        return out


def heatmap(risks: list[Risk]) -> Heatmap:
    """Heatmap of the given risks (movement must be attached). Closed risks are left out."""
    hm = Heatmap()
    for r in risks:
        if r.status not in ACTIVE:
            continue
        key = (r.residual_likelihood, r.residual_impact)
        hm.cells[key] = hm.cells.get(key, 0) + 1
        hm.total += 1
        hm.movement[getattr(r, "movement", "new")] += 1
    return hm


def schools_heatmap(trust, schools: set[int] | None = None) -> tuple[Heatmap, list[dict]]:
    """The heatmap of every school's active risks in the trust (or of `schools` only), and a
    per-school summary."""
    risks = list(
        _of_schools(Risk.objects.filter(trust=trust, school__isnull=False), schools)
        .select_related("school")
        .only(
            "pk",
            "school__name",
            "school__id",
            "status",
            "residual_likelihood",
            "residual_impact",
            "residual_score",
            "trust_id",
        )
    )
    attach_movement(risks)
    summary: dict[int, dict] = {}
    for r in risks:
        row = summary.setdefault(
            r.school_id,
            {"school": r.school, "High": 0, "Medium": 0, "Low": 0, "up": 0, "down": 0, "active": 0},
        )
        if r.status in ACTIVE:
            row[band(r.residual_score)[1]] += 1
            row["active"] += 1
            if r.movement in ("up", "down"):
                row[r.movement] += 1
    return heatmap(risks), sorted(summary.values(), key=lambda row: row["school"].name)


def most_at_risk_first(summary: list[dict]) -> list[dict]:
    """The per-school summary with the schools needing attention first: most high risks, then
    medium, then risks worse since their last review; then by name."""
    return sorted(summary, key=lambda r: (-r["High"], -r["Medium"], -r["up"], r["school"].name))


def active_school_risks(school, limit: int = 10) -> list[Risk]:
    """For governance agendas: the school's active risks, highest first."""
    return list(
        Risk.objects.filter(school=school, status__in=ACTIVE)
        .select_related("owner")
        .order_by("-residual_score")[:limit]
    )


def due_reviews_for(user, on, until) -> QuerySet:
    """Active risks the user owns whose review is due by `until`."""
    return (
        visible_risks(user)
        .filter(owner=user, status__in=ACTIVE, review_on__lte=until)
        .select_related("school", "trust")
    )
