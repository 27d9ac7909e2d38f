"""Issue 14, defect 2: an object's history answers exactly like the page that shows the object.
A senior leader of one school opened /history/accounts.membership/<id>/ for every membership in
the trust (other schools' heads, governors) while the People page answered 403; skill ratings
and training records the same way. Every role x (in scope, other school, other trust) is walked
for each kind of object, comparing the history URL with the object's own page."""

import datetime

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from tests.matrix import ALL_ROLES
from tests.world import grant, make_user
from trustwide.access import Perm, role_has
from trustwide.audit.history import rules
from trustwide.governance.models import SkillRating, TrainingRecord
from trustwide.planning.tests.factories import plan_for
from trustwide.risks.tests.factories import make_risk

pytestmark = pytest.mark.django_db

# Models with no page of their own, hence no history page (404 for everyone).
NO_HISTORY_PAGE = {
    "common.dataversion",
    "common.renderedpdf",
    "common.scheduledrun",
    "common.taskworker",
    "accounts.user",
    "audit.auditevent",
    "data.trustdatakey",
    "data.pupil",
    "kpis.kpivalue",
    "kpis.kpirefresh",
    "kpis.schoolperformance",
    "kpis.nationalfigure",
    # DfE's Attainment 8 estimates: national data only `trustwide a8estimates` writes.
    "kpis.a8estimatetable",
    "kpis.a8estimate",
    "governance.calendartoken",
    # The pupil-data access log is read on the data protection page, never changed.
    "audit.pupildataaccess",
    "audit.pupildataaccesspupil",
    # A note that a school's stale-data email went out today (so it goes once a day).
    "feeds.stalewarning",
}


def history_url(obj) -> str:
    return reverse("audit:object-history", args=[obj._meta.label_lower, obj.pk])


def test_every_model_has_a_history_rule_or_none_on_purpose():
    """A new model never falls back to a looser rule: it gets a rule, or no history page."""
    labels = {
        m._meta.label_lower for m in apps.get_models() if m.__module__.startswith("trustwide.")
    }
    assert labels - NO_HISTORY_PAGE == set(rules()), sorted(
        labels.symmetric_difference(set(rules()) | NO_HISTORY_PAGE)
    )


def test_replay_senior_leader_cannot_read_other_schools_memberships(world, client):
    head_a2 = grant(
        make_user("head_of_a2"), "headteacher", trust=world.trust_a, school=world.school_a2
    )
    governor = world.user("local_governor").memberships.get()
    client.force_login(world.user("senior_leader"))
    assert (
        client.get(reverse("accounts:membership-list", args=[world.trust_a.slug])).status_code
        == 403
    )
    for membership in (head_a2, governor):
        assert client.get(history_url(membership)).status_code == 404


def _cases(world):
    today = timezone.localdate()
    head_a2 = grant(
        make_user("head_a2"), "headteacher", trust=world.trust_a, school=world.school_a2
    )
    rating = SkillRating.objects.create(
        trust=world.trust_a,
        user=world.user("local_governor"),
        start_year=today.year,
        skill="finance",
        rating=3,
    )
    training = TrainingRecord.objects.create(
        trust=world.trust_a,
        user=world.user("local_governor"),
        title="Safeguarding",
        completed_on=today - datetime.timedelta(days=3),
    )
    people = reverse("accounts:membership-list", args=[world.trust_a.slug])
    school_risk = make_risk(world.trust_a, world.school_a1, title="Roof")
    trust_risk = make_risk(world.trust_a, None, title="Cash flow")
    other_risk = make_risk(world.trust_a, world.school_a2, title="Boiler")
    plan_a1, plan_a2, plan_b1 = (
        plan_for(world.school_a1),
        plan_for(world.school_a2),
        plan_for(world.school_b1),
    )
    return [
        ("membership in A2", head_a2, people),
        ("membership in A1", world.user("teacher").memberships.get(), people),
        (
            "membership in trust B",
            world.extra["trust_b_leader"].memberships.get(),
            reverse("accounts:membership-list", args=[world.trust_b.slug]),
        ),
        ("skill rating", rating, None),
        ("training record", training, None),
        ("school A1", world.school_a1, reverse("trusts:school-detail", args=[world.school_a1.pk])),
        ("school A2", world.school_a2, reverse("trusts:school-detail", args=[world.school_a2.pk])),
        ("school B1", world.school_b1, reverse("trusts:school-detail", args=[world.school_b1.pk])),
        ("plan A1", plan_a1, reverse("planning:plan-detail", args=[plan_a1.pk])),
        ("plan A2", plan_a2, reverse("planning:plan-detail", args=[plan_a2.pk])),
        ("plan B1", plan_b1, reverse("planning:plan-detail", args=[plan_b1.pk])),
        ("risk A1", school_risk, reverse("risks:risk-detail", args=[school_risk.pk])),
        ("risk A2", other_risk, reverse("risks:risk-detail", args=[other_risk.pk])),
        ("trust risk", trust_risk, reverse("risks:risk-detail", args=[trust_risk.pk])),
        *_feed_cases(world),
    ]


def _feed_cases(world):
    from trustwide.feeds.models import FeedRun, FeedSource

    cases = []
    for school in (world.school_a1, world.school_a2, world.school_b1):
        source = FeedSource.objects.create(
            trust=school.trust, school=school, kind="folder", folder="x"
        )
        run = FeedRun.objects.create(source=source, started_at=timezone.now())
        cases += [
            (f"feed of {school}", source, reverse("feeds:source-detail", args=[source.pk])),
            (f"feed run of {school}", run, reverse("feeds:run-detail", args=[run.pk])),
        ]
    return cases


def test_history_answers_like_the_objects_page_for_every_role(world, client):
    failures = []
    for label, obj, page in _cases(world):
        for role in sorted(ALL_ROLES):
            user = world.user(role)
            client.force_login(user)
            if page is None:  # a governor's own skills and training: shown to the owner only
                shows = obj.user_id == user.pk
            else:
                shows = client.get(page).status_code == 200
            expected = 200 if shows and role_has(role, Perm.HISTORY_VIEW) else 404
            got = client.get(history_url(obj)).status_code
            if got != expected:
                failures.append(
                    f"{label} / {role}: history {got}, expected {expected} (page shows it: {shows})"
                )
    assert not failures, "\n".join(failures)
