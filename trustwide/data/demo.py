"""Demo pupil data: two academic years for every demo school, generated as the CSV files a
school's MIS would export and loaded through the real importers (so the demo exercises the
same validation and store as a real upload).

The first school's data manager uploads that school's files; the trust data manager uploads
the other schools' files as trust-wide extracts of up to SCHOOLS_PER_UPLOAD schools each (the
trust-wide import of the data pages). One store batch per extract instead of one per school
file keeps a 100-school demo from rewriting the trust's derived shards hundreds of times."""

from __future__ import annotations

import datetime
import tempfile
from pathlib import Path

from trustwide.trusts import services as trust_services
from trustwide.trusts.models import Phase

from .generator import generate_trust
from .models import ImportStatus
from .services import import_batch_create, import_batch_run
from .signals import batch_signals_suspended

DATASET_ORDER = ("characteristics", "attendance_marks", "assessments", "statutory", "transitions")
# A trust-wide extract's size: about 2 million register lines a year, so memory stays modest.
SCHOOLS_PER_UPLOAD = 20


def build(ctx) -> None:
    schools = sorted(ctx.schools, key=lambda s: s.urn)
    urns = [s.urn for s in schools]
    if urns != list(range(urns[0], urns[0] + len(urns))):
        raise ValueError("The demo generator expects consecutive URNs.")
    # The generator models primary and secondary pupils; special schools take the primary model.
    phases = ["secondary" if s.phase == Phase.SECONDARY else "primary" for s in schools]
    start = ctx.previous_year.start_year
    today = datetime.date.today()
    first = ctx.schools[0]
    uploads = [(ctx.users.get("school_data"), first, [first.urn])]
    rest = [u for u in urns if u != first.urn]
    uploads += [
        (ctx.users.get("trust_data"), None, rest[i : i + SCHOOLS_PER_UPLOAD])
        for i in range(0, len(rest), SCHOOLS_PER_UPLOAD)
    ]
    # KPIs are recomputed once by the KPI app's demo step, not after each file.
    with tempfile.TemporaryDirectory(prefix="trustwide-demo-") as tmp, batch_signals_suspended():
        generate_trust(
            tmp,
            seed=ctx.seed,
            schools=len(schools),
            pupils_per_school=260,
            academic_years=2,
            start_year=start,
            phases=phases,
            first_urn=urns[0],
            marks_until=today,  # this year's register as exported today
        )
        for year in (start, start + 1):
            current = year == ctx.current_year.start_year
            for dataset in DATASET_ORDER:
                for actor, school, chunk in uploads:
                    if not chunk:
                        continue
                    path = Path(tmp) / f"{dataset}-{year}-{chunk[0]}.csv"
                    if not _combine(
                        [Path(tmp) / str(year) / str(urn) / f"{dataset}.csv" for urn in chunk],
                        path,
                        dataset,
                        today if current else None,
                    ):
                        continue
                    name = (
                        school.name
                        if school is not None
                        else f"{ctx.trust.name} schools {chunk[0]}-{chunk[-1]}"
                    )
                    batch = import_batch_create(
                        actor=actor,
                        actor_label=None if actor else ctx.actor_label,
                        trust=ctx.trust,
                        school=school,
                        dataset=dataset,
                        academic_year=year,
                        file_name=f"{name} {dataset} {year}.csv",
                    )
                    batch = import_batch_run(
                        batch=batch, source=path, actor=actor, today=_demo_today(year)
                    )
                    if batch.status != ImportStatus.STORED:
                        raise RuntimeError(
                            f"Demo import refused: {batch.file_name}: {batch.errors[:3]}"
                        )
    _roll_as_imported(ctx, schools)


def _roll_as_imported(ctx, schools) -> None:
    """The demo schools' number on roll is the roll their data holds this year, as GIAS would
    show for a real school, so "Data this year" reads complete rather than partial."""
    from .selectors import roll_sizes

    rolls = roll_sizes(
        trust_id=ctx.trust.pk,
        urns=[s.urn for s in schools],
        academic_year=ctx.current_year.start_year,
    )
    for school in schools:
        n = rolls.get(school.urn)
        if n and n != school.pupils_on_roll:
            trust_services.school_update(
                actor=None, actor_label=ctx.actor_label, school=school, pupils_on_roll=n
            )


def _demo_today(year: int) -> datetime.date:
    """Files are checked as on the last day of their academic year (the current year's files
    hold only what exists by today, so nothing in them is in the future)."""
    return datetime.date(year + 1, 8, 31)


def _combine(parts: list[Path], out: Path, dataset: str, today: datetime.date | None) -> bool:
    """One file of the schools' files (one header). For the current year (`today` given) keep
    only what a school would have exported by today: results and destinations arrive at the end
    of the year, assessments after each term (the generator already stops registers at today).
    Returns False when nothing of the file exists yet."""
    if today is not None and dataset in {"statutory", "transitions"}:
        return False
    done = None
    if today is not None and dataset == "assessments":
        done = (
            {"autumn"}
            if today.month in (9, 10, 11, 12)
            else {"autumn", "spring"}
            if today.month <= 4
            else {"autumn", "spring", "summer"}
        )
    header, rows = b"", 0
    with open(out, "wb") as handle:
        for part in parts:
            if not part.exists():
                continue
            with open(part, "rb") as source:
                first = source.readline()
                if not header:
                    header = first
                    handle.write(header)
                if done is None:
                    data = source.read()
                    rows += data.count(b"\n")
                    handle.write(data)
                    continue
                for line in source:  # assessments: a few thousand lines per school
                    if line.split(b",", 3)[2].decode() in done:
                        handle.write(line)
                        rows += 1
    return rows > 0
