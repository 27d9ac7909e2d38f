"""The governance skills framework (after the DfE competency framework for governance) and the
gap computation: a skill is a gap in a body when no current member rates themselves 3
("confident") or 4 ("expert"); thin when only one does."""

from __future__ import annotations

from dataclasses import dataclass

SKILLS: list[tuple[str, str, str]] = [
    ("strategy", "Strategic leadership and vision", "Strategy"),
    ("education", "Education and curriculum", "Education"),
    ("data", "Understanding pupil performance data", "Education"),
    ("send", "SEND and inclusion", "Education"),
    ("safeguarding", "Safeguarding", "Compliance"),
    ("finance", "Finance and audit", "Resources"),
    ("hr", "People and HR", "Resources"),
    ("estates", "Estates and health and safety", "Resources"),
    ("legal", "Legal and compliance", "Compliance"),
    ("risk", "Risk management", "Compliance"),
    ("community", "Community and stakeholder engagement", "Engagement"),
    ("chairing", "Chairing and challenge", "Engagement"),
]
SKILL_CODES = {code for code, _, _ in SKILLS}
SKILL_LABELS = {code: label for code, label, _ in SKILLS}
SCALE = [
    (1, "1 - No knowledge"),
    (2, "2 - Some knowledge"),
    (3, "3 - Confident"),
    (4, "4 - Expert"),
]
STRONG = 3


@dataclass
class SkillCoverage:
    code: str
    label: str
    strong: int  # members rating 3+
    rated: int  # members who rated this skill
    average: float | None

    @property
    def status(self) -> str:
        if self.strong == 0:
            return "gap"
        if self.strong == 1:
            return "thin"
        return "covered"

    @property
    def status_word(self) -> str:
        return {"gap": "Gap", "thin": "Thin", "covered": "Covered"}[self.status]

    @property
    def rag(self) -> str:
        return {"gap": "red", "thin": "amber", "covered": "green"}[self.status]


def coverage(ratings: dict[int, dict[str, int]], member_ids) -> list[SkillCoverage]:
    """ratings: user id -> {skill: rating}; member_ids: the body's current members."""
    out = []
    for code, label, _ in SKILLS:
        values = [ratings[u][code] for u in member_ids if u in ratings and code in ratings[u]]
        out.append(
            SkillCoverage(
                code,
                label,
                strong=sum(1 for v in values if v >= STRONG),
                rated=len(values),
                average=round(sum(values) / len(values), 1) if values else None,
            )
        )
    return out
