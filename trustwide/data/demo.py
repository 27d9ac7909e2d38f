"""Demo pupil data: two academic years for every demo school, generated as the CSV files a
school's MIS would export and loaded through the real importers (so the demo exercises the
same validation and store as a real upload)."""

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


def build(ctx) -> None:
    schools = sorted(ctx.schools, key=lambda s: s.urn)
    urns = [s.urn for s in schools]
    if urns != list(range(urns[0], urns[0] + len(urns))):
        raise ValueError("The demo generator expects consecutive URNs.")
    # The generator models primary and secondary pupils; special schools take the primary model.
    phases = ["secondary" if s.phase == Phase.SECONDARY else "primary" for s in schools]
    start = ctx.previous_year.start_year
    # KPIs are recomputed once by the KPI app's demo step, not after each of ~100 files.
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
        )
        by_urn = {s.urn: s for s in schools}
        today = datetime.date.today()
        for year in (start, start + 1):
            for urn in urns:
                folder = Path(tmp) / str(year) / str(urn)
                for dataset in DATASET_ORDER:
                    path = folder / f"{dataset}.csv"
                    if not path.exists():
                        continue
                    if year == ctx.current_year.start_year and not _trim_to_date(
                        path, dataset, today
                    ):
                        continue
                    batch = import_batch_create(
                        actor=None,
                        actor_label=ctx.actor_label,
                        trust=ctx.trust,
                        school=by_urn[urn],
                        dataset=dataset,
                        academic_year=year,
                        file_name=f"{by_urn[urn].name} {dataset} {year}.csv",
                    )
                    batch = import_batch_run(batch=batch, source=path, today=_demo_today(year))
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
    are trimmed to today first, so nothing in them is in the future)."""
    return datetime.date(year + 1, 8, 31)


def _trim_to_date(path: Path, dataset: str, today: datetime.date) -> bool:
    """The generator writes a whole year; the current year's files hold only what a school
    would have exported by today. Returns False when nothing of the file exists yet."""
    if dataset in {"statutory", "transitions"}:
        return False  # results and destinations arrive at the end of the year
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header, rows = lines[0], lines[1:]
    if dataset == "attendance_marks":
        cutoff = today.strftime("%Y%m%d")

        def keep(line: str) -> bool:  # millions of lines: compare yyyymmdd strings, no dates
            day = line.split(",", 3)[2]  # URN,UPN,Date (dd/mm/yyyy),...
            return day[6:10] + day[3:5] + day[0:2] <= cutoff
    elif dataset == "assessments":
        done = (
            {"autumn"}
            if today.month in (9, 10, 11, 12)
            else {"autumn", "spring"}
            if today.month <= 4
            else {"autumn", "spring", "summer"}
        )

        def keep(line: str) -> bool:
            return line.split(",", 3)[2] in done
    else:
        return True
    kept = [row for row in rows if keep(row)]
    path.write_text(header + "".join(kept), encoding="utf-8")
    return bool(kept)
