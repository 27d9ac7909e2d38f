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

from . import services, years
from .models import AcademyType, Hub, MfaPolicy, Phase, School, Trust
from .setup import trust_start
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
    """The trust starts as a real one does: `trustwide createtrust` makes the trust, its current
    year and its administrator (no actor: a deployment operation); the administrator then adds
    last year, the hubs, the schools, their inspections and the staff through the services the
    trust pages call, so the audit trail shows who did what, and the demo is a trust that could
    have been set up by hand."""
    rng = random.Random(seed)
    # Everything random is drawn first, in the order earlier demos drew it, so the same seed
    # gives the same schools, grades and people.
    school_plans = _plan_schools(rng, schools)
    people = _plan_people(rng, seed, schools=schools, hubs=hubs)
    start = current_academic_start_year()

    # Staff (the administrator too) have been in post since a year before this year began.
    staff_start = datetime.date(start, 9, 1) - datetime.timedelta(days=365)
    # What `trustwide createtrust` does.
    admin_entry = next(p for p in people if p["key"] == "trust_admin")
    trust, current_year, admin = trust_start(
        actor_label=ACTOR,
        name="Larkspur Valley Learning Trust",
        slug=DEMO_TRUST_SLUG,
        admin_email=admin_entry["email"],
        admin_name=admin_entry["name"],
        admin_job_title=admin_entry["title"],
        admin_starts_on=staff_start,
        companies_house_number="00000000",
        # Off so the printed demo logins work with a password alone (a real trust's default
        # requires two-step login for pupil-data and trust roles).
        mfa_policy=MfaPolicy.OFF,
    )

    # The administrator's work, through the pages' services.
    previous_year = years.academic_year_add(actor=admin, trust=trust, start_year=start - 1)
    hub_objs = [
        services.hub_create(
            actor=admin,
            trust=trust,
            name=HUB_NAMES[i % len(HUB_NAMES)] + ("" if i < len(HUB_NAMES) else f" {i}"),
        )
        for i in range(hubs)
    ]
    school_objs = []
    for i, (fields, inspection) in enumerate(school_plans):
        school = services.school_create(
            actor=admin,
            trust=trust,
            hub=hub_objs[i % len(hub_objs)] if hub_objs else None,
            **fields,
        )
        services.inspection_record(
            actor=admin, school=school, framework="ofsted-eif-2019", **inspection
        )
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
    _build_people(ctx, admin, people, staff_start)
    set_demo_passwords()
    return ctx


def set_demo_passwords() -> None:
    """Every demo user gets the demo password (run again after the apps add their people).
    One Argon2 hash for all of them: hashing is deliberately slow, once is enough."""
    User.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}").update(
        password=make_password(DEMO_PASSWORD)
    )


INSPECTION_GRADES = [
    "Outstanding",
    "Good",
    "Good",
    "Good",
    "Requires improvement",
    "Requires improvement",
    "Inadequate",
]


def _plan_schools(rng: random.Random, count: int) -> list[tuple[dict, dict]]:
    """Each school's fields (as the add-school page takes them) and its last inspection."""
    stems = SCHOOL_STEMS[:]
    rng.shuffle(stems)
    plans = []
    for i, phase in enumerate(_phase_mix(count)):
        suffix, age_low, age_high, roll, disadv, sen = PHASE_PROFILE[phase]
        stem = stems[i % len(stems)] + ("" if i < len(stems) else f" {i}")
        on_roll = rng.randint(*roll)
        academy_type = (
            AcademyType.SPECIAL_CONVERTER
            if phase == Phase.SPECIAL
            else rng.choice([AcademyType.CONVERTER, AcademyType.SPONSOR_LED])
        )
        capacity = int(on_roll * rng.uniform(1.0, 1.25))
        percent_disadvantaged = Decimal(f"{rng.uniform(*disadv):.1f}")
        percent_sen = Decimal(f"{rng.uniform(*sen):.1f}")
        fields = {
            "urn": 990000 + i + 1,
            "la_code": "990",
            "establishment_number": f"{(2000 if phase == Phase.PRIMARY else 4000 if phase == Phase.SECONDARY else 7000) + i:04d}",
            "name": f"{stem} {suffix}",
            "phase": phase,
            "age_low": age_low,
            "age_high": 16 if phase == Phase.SECONDARY and i % 2 else age_high,
            "academy_type": academy_type,
            "pupils_on_roll": on_roll,
            "capacity": capacity,
            "percent_disadvantaged": percent_disadvantaged,
            "percent_sen": percent_sen,
            "has_early_years": phase in (Phase.PRIMARY, Phase.SPECIAL),
            "has_sixth_form": phase == Phase.SECONDARY and not i % 2,
            "joined_trust_on": datetime.date(2014 + rng.randint(0, 10), 9, 1),
        }
        plans.append((fields, _plan_inspection(rng, fields)))
    return plans


def _plan_inspection(rng: random.Random, school: dict) -> dict:
    """A 2019-framework inspection grading every judgement the school has."""
    overall = rng.choice(INSPECTION_GRADES)
    areas = [
        "quality-of-education",
        "behaviour-and-attitudes",
        "personal-development",
        "leadership-and-management",
    ]
    if school["has_early_years"]:
        areas.append("early-years")
    if school["has_sixth_form"]:
        areas.append("sixth-form")
    grades = {a: (overall if rng.random() < 0.7 else rng.choice(INSPECTION_GRADES)) for a in areas}
    inspected_on = datetime.date(2019 + rng.randint(0, 5), rng.randint(1, 12), rng.randint(1, 28))
    return {"inspected_on": inspected_on, "grades": grades}


def _plan_people(rng: random.Random, seed: int, *, schools: int, hubs: int) -> list[dict]:
    """Everyone the demo adds, in the order their logins are printed: key, role, where (hub or
    school index), job title, name and email."""
    from django.utils import timezone

    used: set[str] = set()
    entries: list[dict] = []

    def person(key, role, *, title, school=None, hub=None, ends_on=None, draw=rng):
        name, email = _person(draw, used)
        entries.append(
            {
                "key": key,
                "role": role,
                "school": school,
                "hub": hub,
                "title": title,
                "ends_on": ends_on,
                "name": name,
                "email": email,
            }
        )

    person("ceo", Role.TRUST_LEADER, title="Chief executive officer")
    person("director", Role.TRUST_LEADER, title="Director of education")
    person("trust_data", Role.TRUST_DATA_MANAGER, title="Trust data manager")
    person("trust_admin", Role.TRUST_ADMINISTRATOR, title="Trust administrator")
    person("trustee", Role.TRUSTEE, title="Trustee")
    for i in range(hubs):
        person(f"eht_{i}", Role.EXECUTIVE_HEADTEACHER, hub=i, title="Executive headteacher")
    for i in range(schools):
        person(f"head_{i}", Role.HEADTEACHER, school=i, title="Headteacher")
        person(f"governor_{i}", Role.LOCAL_GOVERNOR, school=i, title="Chair of local governors")
    person("senior", Role.SENIOR_LEADER, school=0, title="Deputy headteacher")
    person("middle", Role.MIDDLE_LEADER, school=0, title="English lead")
    person("teacher", Role.TEACHER, school=0, title="Year 5 teacher")
    person("school_data", Role.SCHOOL_DATA_MANAGER, school=0, title="School data manager")
    if schools > 1:
        # A leader of the second school reviews the first this term (time-boxed access).
        person(
            "peer_reviewer",
            Role.PEER_REVIEWER,
            school=0,
            title="Peer reviewer",
            ends_on=timezone.localdate() + datetime.timedelta(days=60),
        )
    # The roles added in issue 16 draw names from their own generator, so the people and data
    # built before them stay as they were.
    extra = random.Random(seed + 16)
    person("finance", Role.TRUST_FINANCE_OFFICER, title="Chief financial officer", draw=extra)
    person(
        "business_manager",
        Role.SCHOOL_BUSINESS_MANAGER,
        school=0,
        title="School business manager",
        draw=extra,
    )
    person(
        "clerk",
        Role.CLERK_TO_GOVERNORS,
        school=0,
        title="Clerk to the local governing body",
        draw=extra,
    )
    person(
        "dsl", Role.SAFEGUARDING_LEAD, school=0, title="Designated safeguarding lead", draw=extra
    )
    person("senco", Role.SENCO, school=0, title="SENCO", draw=extra)
    return entries


def _build_people(
    ctx: DemoContext, admin: User, people: list[dict], starts_on: datetime.date
) -> None:
    """The administrator adds the staff as on the People pages: executive headteachers (hub
    roles, not in a staff file) one by one, each made their hub's lead, then everyone else from
    one staff CSV through the bulk-add service (accounts/bulk.py). Passwords are set afterwards
    by set_demo_passwords, so no invitations are sent."""
    ctx.users["trust_admin"] = admin
    for entry in people:
        if entry["hub"] is None:
            continue
        hub = ctx.hubs[entry["hub"]]
        user = user_get_or_create(
            actor=admin,
            trust=ctx.trust,
            email=entry["email"],
            full_name=entry["name"],
            job_title=entry["title"],
        )
        membership_create(
            actor=admin,
            user=user,
            role=entry["role"],
            trust=ctx.trust,
            hub=hub,
            starts_on=starts_on,
        )
        services.hub_update(actor=admin, hub=hub, executive_headteacher=user)
        ctx.users[entry["key"]] = user
    rows = [p for p in people if p["hub"] is None and p["key"] != "trust_admin"]
    memberships = staff_bulk_add(
        actor=admin,
        trust=ctx.trust,
        data=_staff_csv(ctx, rows, starts_on),
        filename="larkspur-staff.csv",
        invite=False,
    )
    for row, membership in zip(rows, memberships, strict=True):
        ctx.users[row["key"]] = membership.user
    for entry in people:
        if entry["hub"] is not None:
            where = f"{ctx.hubs[entry['hub']].name} hub"
        elif entry["school"] is not None:
            where = ctx.schools[entry["school"]].name
        else:
            where = ctx.trust.name
        ctx.logins.append((entry["title"], where, entry["email"]))


def _staff_csv(ctx: DemoContext, rows: list[dict], starts_on: datetime.date) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "email", "role", "school_urn", "start_date", "end_date", "job_title"])
    for r in rows:
        writer.writerow(
            [
                r["name"],
                r["email"],
                r["role"],
                ctx.schools[r["school"]].urn if r["school"] is not None else "",
                starts_on.isoformat(),
                r["ends_on"].isoformat() if r["ends_on"] else "",
                r["title"],
            ]
        )
    return out.getvalue().encode()
