"""Round trip across apps (data -> kpis): the KPIs from a CTF import equal those from the same
data imported as CSV files. Lives outside trustwide/data, which must not import the KPI app."""

from __future__ import annotations

import datetime as dt

from trustwide.data.models import CTF, ImportStatus
from trustwide.data.services import import_batch_create, import_batch_rollback, import_batch_run
from trustwide.data.tests.test_ctf_imports import YEAR, stored_datasets, years  # noqa: F401, F811 (fixture)


def test_kpis_from_a_ctf_equal_kpis_from_the_same_data_as_csv(years, tmp_path):  # noqa: F811
    """Round trip: synthetic school -> CSV import -> KPIs; the same data as a CTF -> the same KPIs."""
    from trustwide.data.ctf_synthetic import ctf_from_generated
    from trustwide.data.generator import generate_trust
    from trustwide.kpis.models import KpiValue
    from trustwide.kpis.services import kpis_refresh

    world = years
    school = world.school_a1
    generate_trust(
        tmp_path,
        seed=7,
        schools=1,
        total_pupils=90,
        phases=["primary"],
        processes=1,
        start_year=YEAR,
        first_urn=school.urn,
    )
    today = dt.date(YEAR + 1, 8, 31)

    def stored():
        kpis_refresh(trust=world.trust_a, academic_year=YEAR, as_of=today)
        return sorted(
            KpiValue.objects.filter(trust=world.trust_a, academic_year=YEAR).values_list(
                "kpi_code",
                "level",
                "school_id",
                "period",
                "group",
                "numerator",
                "denominator",
                "pupils",
                "suppressed",
            ),
            key=repr,
        )

    csv_batches = []
    for dataset in ("characteristics", "attendance_marks", "statutory"):
        batch = import_batch_create(
            actor=None,
            actor_label="test",
            trust=world.trust_a,
            school=school,
            dataset=dataset,
            academic_year=YEAR,
            file_name=f"{dataset}.csv",
        )
        batch = import_batch_run(
            batch=batch,
            source=tmp_path / str(YEAR) / str(school.urn) / f"{dataset}.csv",
            today=today,
        )
        assert batch.status == ImportStatus.STORED, batch.errors[:3]
        csv_batches.append(batch)
    from_csv = stored()
    for batch in csv_batches:
        import_batch_rollback(actor=None, actor_label="test", batch=batch)
    assert stored_datasets(world) == set()

    data = ctf_from_generated(tmp_path, urn=school.urn, academic_year=YEAR)
    batch = import_batch_create(
        actor=None,
        actor_label="test",
        trust=world.trust_a,
        school=school,
        dataset=CTF,
        academic_year=YEAR,
        file_name="school.xml",
    )
    batch = import_batch_run(batch=batch, source=data, today=today)
    assert batch.status == ImportStatus.STORED, batch.errors[:3]
    from_ctf = stored()
    codes = {row[0] for row in from_csv if row[6]}
    assert {"overall_absence", "persistent_absence", "ks2_rwm_expected", "eyfs_gld"} <= codes, codes
    assert from_ctf == from_csv
