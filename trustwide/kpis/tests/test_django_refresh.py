"""Stored KPI values: recomputed after each import and by `trustwide kpis refresh`."""

import datetime
import io

import pytest
from django.core.management import call_command

from trustwide.data.models import ImportStatus
from trustwide.data.services import import_batch_create, import_batch_run
from trustwide.kpis.models import KpiRefresh, KpiValue

YEAR = 2025


def _days(n):
    day = datetime.date(2025, 9, 8)  # a Monday in the autumn term
    out = []
    while len(out) < n:
        if day.weekday() < 5:
            out.append(day)
        day += datetime.timedelta(days=1)
    return out


def _import(world, dataset, text, capture):
    batch = import_batch_create(
        actor=None,
        actor_label="test",
        trust=world.trust_a,
        school=world.school_a1,
        dataset=dataset,
        academic_year=YEAR,
        file_name=f"{dataset}.csv",
    )
    with capture(execute=True):
        batch = import_batch_run(
            batch=batch, source=text.encode(), today=datetime.date(2026, 8, 31)
        )
    assert batch.status == ImportStatus.STORED, batch.errors
    return batch


@pytest.fixture
def six_pupils(world, django_capture_on_commit_callbacks):
    from tests.world import make_year

    make_year(world.trust_a, YEAR, current=False)
    urn = world.school_a1.urn
    upns = [f"A1234567890{i:02d}" for i in range(6)]
    chars = "URN,UPN,Surname,Forename,DOB,Year group,Sex,Disadvantaged,FSM,SEN,EAL\n" + "".join(
        f"{urn},{u},S{i},F{i},01/01/2016,4,{'F' if i % 2 else 'M'},{'Y' if i < 3 else 'N'},N,N,N\n"
        for i, u in enumerate(upns)
    )
    _import(world, "characteristics", chars, django_capture_on_commit_callbacks)
    # Five school days = 10 sessions each. Pupil 0 is ill for half of them; the rest attend.
    marks = ["URN,UPN,Date,Session,Code"]
    for i, upn in enumerate(upns):
        for d, day in enumerate(_days(5)):
            for session in ("AM", "PM"):
                code = "I" if i == 0 and d < 3 and not (d == 2 and session == "PM") else "/"
                marks.append(f"{urn},{upn},{day:%d/%m/%Y},{session},{code}")
    _import(world, "attendance_marks", "\n".join(marks) + "\n", django_capture_on_commit_callbacks)
    return world


def _value(world, kpi, level="school", group="all", period="year"):
    filters = {"school": world.school_a1} if level == "school" else {}
    return KpiValue.objects.get(
        trust=world.trust_a,
        academic_year=YEAR,
        kpi_code=kpi,
        level=level,
        period=period,
        group=group,
        **filters,
    )


def test_import_recomputes_the_stored_values(six_pupils):
    world = six_pupils
    absence = _value(world, "overall_absence")
    # 5 illness sessions out of 6 pupils x 10 possible sessions.
    assert absence.value == pytest.approx(100 * 5 / 60)
    assert (absence.numerator, absence.denominator, absence.pupils) == (5, 60, 6)
    # The trust row is the same pupils: trust and school figures agree.
    assert _value(world, "overall_absence", level="trust").value == pytest.approx(absence.value)
    # Persistent absence is a share of pupils: 6 is below the minimum group of 10.
    pa = _value(world, "persistent_absence")
    assert pa.suppressed and pa.value is None and pa.numerator is None
    # The disadvantaged group (3 pupils) is below the minimum of 5 for session rates.
    assert _value(world, "overall_absence", group="disadvantaged").suppressed
    assert KpiRefresh.objects.filter(trust=world.trust_a, academic_year=YEAR).count() == 2


def test_refresh_command_replaces_values(six_pupils):
    world = six_pupils
    before = KpiValue.objects.filter(trust=world.trust_a).count()
    out = io.StringIO()
    call_command("kpis", "refresh", trust=world.trust_a.slug, year=[YEAR], stdout=out)
    assert f"{before} values" in out.getvalue()
    assert KpiValue.objects.filter(trust=world.trust_a).count() == before
    assert not KpiValue.objects.filter(trust=world.trust_b).exists()


def _stored(world):
    return sorted(
        KpiValue.objects.filter(trust=world.trust_a, academic_year=YEAR).values_list(
            "kpi_code",
            "level",
            "school_id",
            "hub_id",
            "period",
            "group",
            "value",
            "numerator",
            "denominator",
            "pupils",
            "suppressed",
        ),
        key=repr,
    )


def test_refresh_streams_batches_without_changing_values(six_pupils, monkeypatch):
    """The refresh consumes the engine one batch of schools at a time and inserts in chunks
    (bounded memory for large trusts): one school per batch and tiny insert chunks must store
    exactly what one batch does."""
    from trustwide.kpis import engine, services

    world = six_pupils
    whole = _stored(world)
    assert len(whole) > 50
    monkeypatch.setattr(engine, "BATCH_SCHOOLS", 1)
    monkeypatch.setattr(services, "INSERT_CHUNK", 7)
    batches = []
    real_iter = services.iter_kpis

    def counting_iter(**kwargs):
        for table in real_iter(**kwargs):
            batches.append(table.num_rows)
            yield table

    monkeypatch.setattr(services, "iter_kpis", counting_iter)
    rows = services.kpis_refresh(trust=world.trust_a, academic_year=YEAR)
    # One batch per school of the trust, then the hub and trust rows.
    assert len(batches) == world.trust_a.schools.count() + 1
    assert rows == len(whole) and _stored(world) == whole


def test_refresh_rebuilds_shards_and_reads_again_when_files_change_under_it(
    six_pupils, monkeypatch
):
    """Files loaded around the store between the shard check and the read make the engine
    refuse; the refresh then brings the shards up to date and reads again."""
    from trustwide.kpis import services
    from trustwide.kpis.engine import StaleDerivedData

    world = six_pupils
    whole = _stored(world)
    calls = []
    real_iter = services.iter_kpis

    def stale_once(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise StaleDerivedData("files changed")
        yield from real_iter(**kwargs)

    monkeypatch.setattr(services, "iter_kpis", stale_once)
    services.kpis_refresh(trust=world.trust_a, academic_year=YEAR)
    assert len(calls) == 2 and _stored(world) == whole


def test_a_school_on_its_own_term_dates_gets_its_own_term_periods(six_pupils):
    """School A1's local authority starts the autumn term on 10 September: A1's autumn figures
    count from then (its own dates); the trust's row keeps the trust's dates (from 2 September)."""
    from trustwide.kpis.services import kpis_refresh
    from trustwide.trusts import years
    from trustwide.trusts.models import AcademicYear

    world = six_pupils
    D = datetime.date
    year = AcademicYear.objects.get(trust=world.trust_a, start_year=YEAR)
    trust_autumn = _value(world, "overall_absence", period="autumn")
    assert (trust_autumn.numerator, trust_autumn.denominator) == (5, 60)
    years.school_terms_set(
        actor=None,
        actor_label="test",
        school=world.school_a1,
        year=year,
        dates={
            "autumn": (D(2025, 9, 10), D(2025, 12, 19)),
            "spring": (D(2026, 1, 5), D(2026, 4, 2)),
            "summer": (D(2026, 4, 20), D(2026, 7, 22)),
        },
    )
    kpis_refresh(trust=world.trust_a, academic_year=YEAR)
    # 10-12 September: 6 pupils x 6 sessions; pupil 0 ill on the morning of the 10th only.
    own = _value(world, "overall_absence", period="autumn")
    assert (own.numerator, own.denominator) == (1, 36)
    assert _value(world, "overall_absence").denominator == 60  # the whole year is unchanged
    trust = _value(world, "overall_absence", level="trust", period="autumn")
    assert (trust.numerator, trust.denominator) == (5, 60)
