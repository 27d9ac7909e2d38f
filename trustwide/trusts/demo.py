"""The demo trust: deterministic, clearly fictional, with a user for every role.

Domain apps add their own demo data by offering `demo.build(ctx: DemoContext)`; the `demo`
command calls them in app order after this module has built the trust.
"""

from __future__ import annotations

import csv
import datetime
import io
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password

from trustwide.accounts.bulk import staff_bulk_add
from trustwide.accounts.models import User
from trustwide.accounts.roles import Role
from trustwide.accounts.services import membership_create, user_get_or_create

from . import services
from .models import AcademyType, Hub, MfaPolicy, Phase, School, Trust
from .utils import current_academic_start_year

DEMO_PASSWORD = "demo-trustwide-2026"
DEMO_EMAIL_DOMAIN = "larkspur.example"
DEMO_TRUST_SLUG = "larkspur-valley"
ACTOR = "demo builder"

HUB_NAMES = ["North Vale", "Riverside", "Upland", "Coastal", "Eastmoor", "Westfield"]
FIRST_NAMES = [
    "Amara",
    "Ben",
    "Chloe",
    "Dev",
    "Ellie",
    "Farah",
    "George",
    "Hana",
    "Isaac",
    "Jas",
    "Kofi",
    "Lena",
    "Marcus",
    "Niamh",
    "Owen",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tariq",
    "Uma",
    "Vik",
    "Wren",
    "Yusuf",
    "Zoe",
]
SURNAMES = [
    "Adeyemi",
    "Barker",
    "Chaudhry",
    "Davies",
    "Evans",
    "Fletcher",
    "Gill",
    "Hughes",
    "Iqbal",
    "Jones",
    "Khan",
    "Lloyd",
    "Morgan",
    "Nowak",
    "Okafor",
    "Patel",
    "Quinn",
    "Roberts",
    "Singh",
    "Taylor",
    "Usman",
    "Vaughan",
    "Walsh",
    "Young",
]
SCHOOL_STEMS = [
    "Ashcombe",
    "Beechwood",
    "Brookhollow",
    "Cedarfield",
    "Dunmere",
    "Elderbrook",
    "Foxlease",
    "Glenhaven",
    "Hartwell",
    "Ivybridge Lane",
    "Juniper",
    "Kestrel Rise",
    "Larchmont",
    "Millbeck",
    "Nettlecombe",
    "Oakhurst",
    "Pennyfield",
    "Quarrybank",
    "Rowanmoor",
    "Sandpiper",
    "Thornbury Vale",
    "Upperlea",
    "Willowmere",
    "Yewtree",
]


@dataclass
class DemoContext:
    trust: Trust
    rng: random.Random
    seed: int
    current_year: object
    previous_year: object
    schools: list[School]
    hubs: list[Hub]
    users: dict[str, User] = field(default_factory=dict)  # key -> user
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # role, where, email
    actor_label: str = ACTOR


def _phase_mix(count: int) -> list[str]:
    """Mostly primary, some secondary, a special school per 6 (as in a typical mixed MAT)."""
    phases = []
    for i in range(count):
        if i % 6 == 5:
            phases.append(Phase.SPECIAL)
        elif i % 3 == 2:
            phases.append(Phase.SECONDARY)
        else:
            phases.append(Phase.PRIMARY)
    return phases


PHASE_PROFILE = {
    Phase.PRIMARY: ("Primary Academy", 4, 11, (180, 460), (15, 40), (10, 20)),
    Phase.SECONDARY: ("Academy", 11, 18, (700, 1500), (18, 38), (10, 18)),
    Phase.SPECIAL: ("School", 3, 19, (60, 180), (30, 55), (100, 100)),
}


def _person(rng: random.Random, used: set[str]) -> tuple[str, str]:
    while True:
        first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        email = f"{first}.{last}@{DEMO_EMAIL_DOMAIN}".lower()
        if email not in used:
            used.add(email)
            return f"{first} {last}", email


def reset_demo() -> None:
    Trust.objects.filter(slug=DEMO_TRUST_SLUG).delete()
    User.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}").delete()


def build_trust(*, seed: int = 2026, schools: int = 12, hubs: int = 3) -> DemoContext:
    rng = random.Random(seed)
    trust = services.trust_create(
        actor=None,
        actor_label=ACTOR,
        name="Larkspur Valley Learning Trust",
        slug=DEMO_TRUST_SLUG,
        companies_house_number="00000000",
        # Off so the printed demo logins work with a password alone (a real trust's default
        # requires two-step login for pupil-data and trust roles).
        mfa_policy=MfaPolicy.OFF,
    )
    start = current_academic_start_year()
    previous_year = services.academic_year_create(
        actor=None, actor_label=ACTOR, trust=trust, start_year=start - 1
    )
    current_year = services.academic_year_create(
        actor=None, actor_label=ACTOR, trust=trust, start_year=start, is_current=True
    )
    hub_objs = [
        services.hub_create(
            actor=None,
            actor_label=ACTOR,
            trust=trust,
            name=HUB_NAMES[i % len(HUB_NAMES)] + ("" if i < len(HUB_NAMES) else f" {i}"),
        )
        for i in range(hubs)
    ]
    stems = SCHOOL_STEMS[:]
    rng.shuffle(stems)
    school_objs = []
    for i, phase in enumerate(_phase_mix(schools)):
        suffix, age_low, age_high, roll, disadv, sen = PHASE_PROFILE[phase]
        stem = stems[i % len(stems)] + ("" if i < len(stems) else f" {i}")
        on_roll = rng.randint(*roll)
        school = services.school_create(
            actor=None,
            actor_label=ACTOR,
            trust=trust,
            hub=hub_objs[i % len(hub_objs)] if hub_objs else None,
            urn=990000 + i + 1,
            la_code="990",
            establishment_number=f"{(2000 if phase == Phase.PRIMARY else 4000 if phase == Phase.SECONDARY else 7000) + i:04d}",
            name=f"{stem} {suffix}",
            phase=phase,
            age_low=age_low,
            age_high=16 if phase == Phase.SECONDARY and i % 2 else age_high,
            academy_type=AcademyType.SPECIAL_CONVERTER
            if phase == Phase.SPECIAL
            else rng.choice([AcademyType.CONVERTER, AcademyType.SPONSOR_LED]),
            pupils_on_roll=on_roll,
            capacity=int(on_roll * rng.uniform(1.0, 1.25)),
            percent_disadvantaged=Decimal(f"{rng.uniform(*disadv):.1f}"),
            percent_sen=Decimal(f"{rng.uniform(*sen):.1f}"),
            has_early_years=phase in (Phase.PRIMARY, Phase.SPECIAL),
            has_sixth_form=phase == Phase.SECONDARY and not i % 2,
            joined_trust_on=datetime.date(2014 + rng.randint(0, 10), 9, 1),
        )
        _record_inspection(rng, school)
        school_objs.append(school)
    ctx = DemoContext(
        trust=trust,
        rng=rng,
        seed=seed,
        current_year=current_year,
        previous_year=previous_year,
        schools=school_objs,
        hubs=hub_objs,
    )
    _build_people(ctx)
    set_demo_passwords()
    return ctx


def set_demo_passwords() -> None:
    """Every demo user gets the demo password (run again after the apps add their people).
    One Argon2 hash for all of them: hashing is deliberately slow, once is enough."""
    User.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}").update(
        password=make_password(DEMO_PASSWORD)
    )


def _record_inspection(rng: random.Random, school: School) -> None:
    grades = [
        "Outstanding",
        "Good",
        "Good",
        "Good",
        "Requires improvement",
        "Requires improvement",
        "Inadequate",
    ]
    overall = rng.choice(grades)
    areas = [
        "quality-of-education",
        "behaviour-and-attitudes",
        "personal-development",
        "leadership-and-management",
    ]
    if school.has_early_years:
        areas.append("early-years")
    if school.has_sixth_form:
        areas.append("sixth-form")
    area_grades = {a: (overall if rng.random() < 0.7 else rng.choice(grades)) for a in areas}
    services.inspection_record(
        actor=None,
        actor_label=ACTOR,
        school=school,
        framework="ofsted-eif-2019",
        inspected_on=datetime.date(
            2019 + rng.randint(0, 5), rng.randint(1, 12), rng.randint(1, 28)
        ),
        grades=area_grades,
    )


def _add(
    ctx: DemoContext,
    key: str,
    role: str,
    *,
    hub=None,
    school=None,
    title: str = "",
    ends_on=None,
    used: set[str],
) -> User:
    name, email = _person(ctx.rng, used)
    user = user_get_or_create(
        actor=None,
        actor_label=ACTOR,
        trust=ctx.trust,
        email=email,
        full_name=name,
        job_title=title,
    )
    membership_create(
        actor=None,
        actor_label=ACTOR,
        user=user,
        role=role,
        trust=ctx.trust,
        hub=hub,
        school=school,
        starts_on=ctx.current_year.starts_on - datetime.timedelta(days=365),
        ends_on=ends_on,
    )
    ctx.users[key] = user
    where = school.name if school else (f"{hub.name} hub" if hub else ctx.trust.name)
    ctx.logins.append((title or Role(role).label, where, email))
    return user


def _build_people(ctx: DemoContext) -> None:
    """The trust's staff arrive as an administrator would add them: a staff CSV through the
    bulk-add service (accounts/bulk.py), and executive headteachers (hub roles, not in the
    file) one by one. Passwords are set afterwards by set_demo_passwords, so no invitations."""
    from django.utils import timezone

    used: set[str] = set()
    starts_on = ctx.current_year.starts_on - datetime.timedelta(days=365)
    entries: list[dict] = []  # in the order the logins are printed

    def staff(key, role, *, school=None, title, ends_on=None, rng=ctx.rng):
        name, email = _person(rng, used)
        entries.append(
            {
                "key": key,
                "role": role,
                "school": school,
                "title": title,
                "ends_on": ends_on,
                "name": name,
                "email": email,
            }
        )

    staff("ceo", Role.TRUST_LEADER, title="Chief executive officer")
    staff("director", Role.TRUST_LEADER, title="Director of education")
    staff("trust_data", Role.TRUST_DATA_MANAGER, title="Trust data manager")
    staff("trust_admin", Role.TRUST_ADMINISTRATOR, title="Trust administrator")
    staff("trustee", Role.TRUSTEE, title="Trustee")
    for i, hub in enumerate(ctx.hubs):
        eht = _add(
            ctx,
            f"eht_{i}",
            Role.EXECUTIVE_HEADTEACHER,
            hub=hub,
            title="Executive headteacher",
            used=used,
        )
        services_hub_lead(hub, eht)
        entries.append({"key": f"eht_{i}", "done": True})
    for i, school in enumerate(ctx.schools):
        staff(f"head_{i}", Role.HEADTEACHER, school=school, title="Headteacher")
        staff(f"governor_{i}", Role.LOCAL_GOVERNOR, school=school, title="Chair of local governors")
    first = ctx.schools[0]
    staff("senior", Role.SENIOR_LEADER, school=first, title="Deputy headteacher")
    staff("middle", Role.MIDDLE_LEADER, school=first, title="English lead")
    staff("teacher", Role.TEACHER, school=first, title="Year 5 teacher")
    staff("school_data", Role.SCHOOL_DATA_MANAGER, school=first, title="School data manager")
    if len(ctx.schools) > 1:
        # A leader of the second school reviews the first this term (time-boxed access).
        staff(
            "peer_reviewer",
            Role.PEER_REVIEWER,
            school=first,
            title="Peer reviewer",
            ends_on=timezone.localdate() + datetime.timedelta(days=60),
        )
    # The roles added in issue 16 draw names from their own generator, so the people and data
    # built before them stay as they were.
    extra = random.Random(ctx.seed + 16)
    staff("finance", Role.TRUST_FINANCE_OFFICER, title="Chief financial officer", rng=extra)
    staff(
        "business_manager",
        Role.SCHOOL_BUSINESS_MANAGER,
        school=first,
        title="School business manager",
        rng=extra,
    )
    staff(
        "clerk",
        Role.CLERK_TO_GOVERNORS,
        school=first,
        title="Clerk to the local governing body",
        rng=extra,
    )
    staff(
        "dsl", Role.SAFEGUARDING_LEAD, school=first, title="Designated safeguarding lead", rng=extra
    )
    staff("senco", Role.SENCO, school=first, title="SENCO", rng=extra)

    rows = [e for e in entries if not e.get("done")]
    memberships = staff_bulk_add(
        actor=None,
        actor_label=ACTOR,
        trust=ctx.trust,
        data=_staff_csv(rows, starts_on),
        filename="larkspur-staff.csv",
        invite=False,
    )
    for row, membership in zip(rows, memberships, strict=True):
        row["membership"] = membership
    logins = []
    for entry in entries:
        if entry.get("done"):
            logins.append(
                next(line for line in ctx.logins if line[2] == ctx.users[entry["key"]].email)
            )
            continue
        membership = entry["membership"]
        ctx.users[entry["key"]] = membership.user
        where = membership.school.name if membership.school else ctx.trust.name
        logins.append((entry["title"], where, entry["email"]))
    ctx.logins[:] = logins


def _staff_csv(rows: list[dict], starts_on: datetime.date) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "email", "role", "school_urn", "start_date", "end_date", "job_title"])
    for r in rows:
        writer.writerow(
            [
                r["name"],
                r["email"],
                r["role"],
                r["school"].urn if r["school"] else "",
                starts_on.isoformat(),
                r["ends_on"].isoformat() if r["ends_on"] else "",
                r["title"],
            ]
        )
    return out.getvalue().encode()


def services_hub_lead(hub: Hub, user: User) -> None:
    from trustwide.audit.services import audited_update

    audited_update(actor=None, actor_label=ACTOR, instance=hub, executive_headteacher=user)
