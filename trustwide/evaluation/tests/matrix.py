"""Permission-matrix entries for every self-evaluation page (collected by tests/matrix.py)."""

from tests.matrix import Entry, t_kwargs
from trustwide.evaluation import services
from trustwide.evaluation.tests.factories import (
    FOUR,
    REPORT_CARD,
    TEN_WAYS,
    add_file_evidence,
    framework,
    make_sef,
    year_of,
)

SEF_READERS = frozenset(
    {
        "trust_leader",
        "trustee",
        "executive_headteacher",
        "headteacher",
        "senior_leader",
        "middle_leader",
        "local_governor",
        "peer_reviewer",
        # The safeguarding lead and SENCO read the SEF their areas feed; finance staff and clerks do not.
        "safeguarding_lead",
        "senco",
    }
)
SEF_EDITORS = frozenset({"executive_headteacher", "headteacher", "senior_leader"})
SEF_VALIDATORS = frozenset({"trust_leader", "executive_headteacher"})
OVERVIEW = frozenset({"trust_leader", "trustee", "executive_headteacher"})  # trust or hub level
TRUST_LEVEL_READERS = frozenset({"trust_leader", "trustee"})
TRUST_LEADER = frozenset({"trust_leader"})


def _cached(world, key, build):
    if key not in world.extra:
        world.extra[key] = build()
    return world.extra[key]


def submitted_sef(world, target):
    """A submitted report-card SEF of the target school (every area graded)."""
    return _cached(
        world, ("submitted", target.school.pk), lambda: make_sef(target.school, submit=True)
    )


def draft_sef(world, target):
    """A draft SEF of the target school on the trust's four characteristics."""
    return _cached(world, ("draft", target.school.pk), lambda: make_sef(target.school, code=FOUR))


def file_evidence(world, target):
    return _cached(
        world, ("evidence", target.school.pk), lambda: add_file_evidence(draft_sef(world, target))
    )


def trust_framework(world, target):
    return _cached(
        world,
        ("framework", target.trust.pk),
        lambda: services.framework_copy(
            actor=None,
            framework=framework(FOUR),
            trust=target.trust,
            code="our-four",
            name="Our four",
        ),
    )


def self_review(world, target):
    return _cached(
        world,
        ("review", target.trust.pk),
        lambda: services.trust_self_review_create(
            actor=None,
            trust=target.trust,
            academic_year=year_of(target.trust),
            framework=framework(TEN_WAYS),
        ),
    )


def sef_kwargs(builder):
    return lambda w, t: {"pk": builder(w, t).pk}


def framework_kwargs(builder):
    return lambda w, t: {"slug": t.trust.slug, "pk": builder(w, t).pk}


MATRIX = {
    "evaluation:school-sefs": Entry(kwargs=t_kwargs(pk="school.pk"), ok=SEF_READERS, denied=403),
    "evaluation:sef-create": Entry(kwargs=t_kwargs(pk="school.pk"), ok=SEF_EDITORS, denied=403),
    "evaluation:sef-detail": Entry(kwargs=sef_kwargs(submitted_sef), ok=SEF_READERS, denied=403),
    "evaluation:sef-history": Entry(
        kwargs=sef_kwargs(submitted_sef),
        ok={"trust_leader", "executive_headteacher", "headteacher", "senior_leader"},
        denied=403,
    ),
    "evaluation:judgement-edit": Entry(
        kwargs=lambda w, t: {"pk": draft_sef(w, t).pk, "area": "teaching"},
        ok=SEF_EDITORS,
        denied=403,
    ),
    "evaluation:validation-create": Entry(
        kwargs=lambda w, t: {"pk": submitted_sef(w, t).pk, "area": "inclusion"},
        ok=SEF_VALIDATORS | {"peer_reviewer"},
        denied=403,
    ),
    "evaluation:sef-submit": Entry(
        method="post", kwargs=sef_kwargs(draft_sef), ok=SEF_EDITORS, denied=403
    ),
    "evaluation:sef-validate": Entry(
        method="post", kwargs=sef_kwargs(submitted_sef), ok=SEF_VALIDATORS, denied=403
    ),
    "evaluation:sef-reopen": Entry(
        method="post", kwargs=sef_kwargs(submitted_sef), ok=SEF_EDITORS | SEF_VALIDATORS, denied=403
    ),
    "evaluation:sef-next-year": Entry(
        method="post", kwargs=sef_kwargs(submitted_sef), ok=SEF_EDITORS, denied=403
    ),
    "evaluation:evidence-create": Entry(kwargs=sef_kwargs(draft_sef), ok=SEF_EDITORS, denied=403),
    "evaluation:sef-pdf": Entry(kwargs=sef_kwargs(submitted_sef), ok=SEF_READERS, denied=403),
    "evaluation:sef-docx": Entry(kwargs=sef_kwargs(submitted_sef), ok=SEF_READERS, denied=403),
    "evaluation:evidence-file": Entry(kwargs=sef_kwargs(file_evidence), ok=SEF_READERS, denied=403),
    "evaluation:evidence-delete": Entry(
        kwargs=sef_kwargs(file_evidence), ok=SEF_EDITORS, denied=403
    ),
    "evaluation:trust-matrix": Entry(kwargs=t_kwargs(slug="trust.slug"), ok=OVERVIEW, denied=403),
    "evaluation:trust-matrix-xlsx": Entry(
        kwargs=t_kwargs(slug="trust.slug"), ok=OVERVIEW, denied=403
    ),
    "evaluation:trust-themes": Entry(kwargs=t_kwargs(slug="trust.slug"), ok=OVERVIEW, denied=403),
    "evaluation:framework-list": Entry(
        kwargs=t_kwargs(slug="trust.slug"), ok=SEF_READERS, denied=403
    ),
    "evaluation:framework-detail": Entry(
        kwargs=lambda w, t: {"slug": t.trust.slug, "pk": framework(REPORT_CARD).pk},
        ok=SEF_READERS,
        denied=403,
    ),
    "evaluation:framework-copy": Entry(
        kwargs=lambda w, t: {"slug": t.trust.slug, "pk": framework(REPORT_CARD).pk},
        ok=TRUST_LEADER,
        denied=403,
    ),
    "evaluation:framework-edit": Entry(
        kwargs=framework_kwargs(trust_framework), ok=TRUST_LEADER, denied=403
    ),
    "evaluation:trust-self-review-list": Entry(
        kwargs=t_kwargs(slug="trust.slug"), ok=TRUST_LEVEL_READERS, denied=403
    ),
    "evaluation:trust-self-review-create": Entry(
        method="post",
        kwargs=t_kwargs(slug="trust.slug"),
        data=lambda w, t: {
            "academic_year": year_of(t.trust).pk,
            "framework": framework(TEN_WAYS).pk,
        },
        ok=TRUST_LEADER,
        denied=403,
    ),
    "evaluation:trust-self-review-detail": Entry(
        kwargs=sef_kwargs(self_review), ok=TRUST_LEVEL_READERS, denied=403
    ),
    "evaluation:trust-statement-edit": Entry(
        kwargs=lambda w, t: {"pk": self_review(w, t).pk, "area": "keep-it-simple"},
        ok=TRUST_LEADER,
        denied=403,
    ),
}
