"""Synthetic trust: deterministic, loads through the real importers, and matches national rates."""

from __future__ import annotations

import datetime as dt
import hashlib

import duckdb
import pytest

from trustwide.data import codes, national
from trustwide.data.generator import generate_trust, school_days
from trustwide.data.store import AnalyticsStore
from trustwide.data.validation import validate_file

TRUST_KEY = b"generator-test"


def digest(root):
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.csv")):
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def test_calendar_has_190_weekdays():
    days, term_of = school_days(2023)
    assert len(days) == 190 and len(set(days.tolist())) == 190
    assert all(d.weekday() < 5 for d in days.tolist())
    assert (term_of[:-1] <= term_of[1:]).all()


def test_deterministic_whatever_the_number_of_processes(tmp_path):
    kw = {"seed": 7, "schools": 3, "total_pupils": 600, "academic_years": 2}
    generate_trust(tmp_path / "a", processes=1, **kw)
    generate_trust(tmp_path / "b", processes=2, **kw)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    generate_trust(tmp_path / "c", processes=1, **{**kw, "seed": 8})
    assert digest(tmp_path / "a") != digest(tmp_path / "c")


def test_register_stopped_part_way_keeps_the_same_rows_up_to_that_day(tmp_path):
    """A register exported in December: the rows up to that day are the whole year's rows, and
    nothing after it is written; the other files do not change."""
    kw = dict(seed=3, schools=2, pupils_per_school=40, academic_years=1, start_year=2023)
    generate_trust(tmp_path / "whole", processes=1, **kw)
    generate_trust(tmp_path / "part", processes=1, marks_until=dt.date(2023, 12, 6), **kw)
    for whole in sorted((tmp_path / "whole").rglob("*.csv")):
        part = tmp_path / "part" / whole.relative_to(tmp_path / "whole")
        if whole.name != "attendance_marks.csv":
            assert part.read_bytes() == whole.read_bytes(), whole.name
            continue
        header, *rows = whole.read_text().splitlines()
        kept = [
            r
            for r in rows
            if r.split(",")[2][6:] + r.split(",")[2][3:5] + r.split(",")[2][:2] <= "20231206"
        ]
        assert 0 < len(kept) < len(rows)
        assert part.read_text().splitlines() == [header, *kept]


def test_generated_files_load_through_the_importers(tmp_path):
    summary = generate_trust(
        tmp_path / "gen",
        seed=3,
        schools=2,
        total_pupils=500,
        academic_years=2,
        phases=["primary", "secondary"],
        processes=1,
    )
    store = AnalyticsStore(tmp_path / "store")
    urns = [137001, 137002]
    loaded = 0
    for year in summary.academic_years:
        for urn in urns:
            for dataset in (
                "characteristics",
                "attendance_marks",
                "assessments",
                "statutory",
                "transitions",
            ):
                path = tmp_path / "gen" / str(year) / str(urn) / f"{dataset}.csv"
                result = validate_file(
                    path,
                    dataset=dataset,
                    file_name=path.name,
                    academic_year=year,
                    allowed_school_urns=urns,
                    trust_key=TRUST_KEY,
                )
                assert result.ok, result.errors[:3]
                store.write_batch(
                    dataset=dataset, trust_id=9, academic_year=year, tables=result.tables
                )
                loaded += sum(t.num_rows for t in result.tables.values())
    marks = (
        duckdb.connect()
        .execute(f"select count(*) from read_parquet('{store.glob('attendance_marks', 9)}')")
        .fetchone()[0]
    )
    assert marks == summary.marks and loaded > marks


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """A 20,000-pupil trust, one year, with the national primary/secondary mix."""
    out = tmp_path_factory.mktemp("trust20k")
    generate_trust(out, seed=1, schools=30, total_pupils=20_000, academic_years=1, processes=2)
    con = duckdb.connect()
    con.execute(f"""
        create table marks as
        select URN, UPN, strptime(Date, '%d/%m/%Y')::date as date, Code as code
        from read_csv('{out}/2023/*/attendance_marks.csv', all_varchar=true)""")
    con.execute(f"""
        create table pupil as
        with per_pupil as (
            select URN, UPN, sum({codes.sql_case_possible()}) as possible,
                   sum({codes.sql_case_absent()}) as absent
            from marks group by URN, UPN)
        select per_pupil.*, c.Disadvantaged as disadvantaged, c.SEN as sen, s.Phase as phase
        from per_pupil
        join read_csv('{out}/2023/*/characteristics.csv', all_varchar=true) c using (URN, UPN)
        join read_csv('{out}/schools.csv', all_varchar=true) s using (URN)""")
    return out, con


def rates(con, where="true"):
    # DfE definitions: absence % = absence sessions / possible sessions; PA = pupils missing
    # 10% or more of their own possible sessions; severe = 50% or more.
    return dict(
        zip(
            ("overall", "persistent", "severe", "pupils"),
            con.execute(f"""
        select 100 * sum(absent) / sum(possible),
               100 * avg((absent >= 0.1 * possible)::int),
               100 * avg((absent >= 0.5 * possible)::int), count(*)
        from pupil where possible > 0 and {where}""").fetchone(),
            strict=True,
        )
    )


def test_national_attendance_rates_within_one_point(sample):
    _out, con = sample
    got = rates(con)
    assert 19_000 < got["pupils"] < 22_000
    primary_share = rates(con, "phase = 'primary'")["pupils"] / got["pupils"]
    assert abs(primary_share - national.PRIMARY_PUPIL_SHARE) < 0.02
    for measure, target in national.ABSENCE_2023_24.items():
        assert abs(got[measure] - target) <= 1.0, (measure, got[measure], target)


def test_groups_differ_as_nationally(sample):
    _out, con = sample
    primary, secondary = rates(con, "phase = 'primary'"), rates(con, "phase = 'secondary'")
    assert (
        primary["overall"] < secondary["overall"]
        and primary["persistent"] < secondary["persistent"]
    )
    dis, other = rates(con, "disadvantaged = 'Y'"), rates(con, "disadvantaged = 'N'")
    assert dis["overall"] > 1.6 * other["overall"] and dis["persistent"] > 1.6 * other["persistent"]
    ehc, sen_k, none = (rates(con, f"sen = '{s}'") for s in "EKN")
    assert ehc["overall"] > sen_k["overall"] > none["overall"]


def test_term_and_code_mix(sample):
    _out, con = sample
    by_term = dict(
        con.execute(f"""
        select case when date < '2024-01-01' then 'autumn'
                    when date < '2024-04-10' then 'spring' else 'summer' end,
               100 * sum({codes.sql_case_absent()}) / sum({codes.sql_case_possible()})
        from marks group by 1""").fetchall()
    )
    assert by_term["autumn"] < by_term["spring"] < by_term["summer"]
    mix = dict(con.execute("select code, count(*) from marks group by 1").fetchall())
    assert set(mix) <= codes.ALL_CODES
    authorised = sum(mix.get(c, 0) for c in codes.AUTHORISED)
    unauthorised = sum(mix.get(c, 0) for c in codes.UNAUTHORISED)
    assert 0.55 < authorised / (authorised + unauthorised) < 0.8
    assert mix["I"] > mix["M"] > 0 and mix["O"] > mix["N"] > 0
    assert all(mix.get(c, 0) > 0 for c in ("L", "V", "P", "B", "W", "G", "U"))


def test_attainment_near_national(sample):
    out, _con = sample
    con = duckdb.connect()
    con.execute(
        f"create view s as select * from read_csv('{out}/2023/*/statutory.csv', all_varchar=true)"
    )
    got = dict(
        con.execute("""
        select Measure, avg(case
            when Measure in ('KS2_READ', 'KS2_MAT', 'KS2_GPS') then 100 * (coalesce(try_cast(Result as int), 0) >= 100)::int
            when Measure = 'PHONICS_Y1' then 100 * (coalesce(try_cast(Result as int), 0) >= 32)::int
            when Measure = 'EYFS_GLD' then 100 * (Result = 'Y')::int
            when Measure = 'KS2_WRIT_TA' then 100 * (Result in ('EXS', 'GDS'))::int
            else try_cast(Result as double) end)
        from s group by 1""").fetchall()
    )
    ks2 = national.KS2_2024
    targets = {
        "KS2_READ": ks2["reading"],
        "KS2_MAT": ks2["maths"],
        "KS2_GPS": ks2["gps"],
        "KS2_WRIT_TA": ks2["writing"],
        "PHONICS_Y1": national.PHONICS_Y1_2024["meeting"],
        "EYFS_GLD": national.EYFS_GLD_2024,
    }
    for measure, target in targets.items():
        # About 1,600 pupils per measure: 5 points is over 3 standard errors with school effects.
        assert abs(got[measure] - target) <= 5, (measure, got[measure], target)
    # KS4: subject grades (the engine computes Attainment 8 from them); English and maths
    # grade 4+ with either English, near the national share (about 1,700 pupils).
    em = con.execute("""
        select 100 * avg(ok::int), count(*) from (
            select UPN, max(case when Measure = 'KS4_MATHS' then try_cast(Result as double) end) >= 4
                and max(case when Measure in ('KS4_ENG_LANG', 'KS4_ENG_LIT')
                        then try_cast(Result as double) end) >= 4 as ok
            from s where Measure like 'KS4%' group by UPN)""").fetchone()
    assert em[1] > 1000 and abs(em[0] - national.KS4_2023["em_grade4"]) <= 5, em
    assert "KS4_ATT8" not in got  # no totals beside the grades they would contradict
    rwm = con.execute("""
        select 100 * avg(ok::int) from (
            select UPN, bool_and(case Measure when 'KS2_WRIT_TA' then Result in ('EXS', 'GDS')
                                 else coalesce(try_cast(Result as int), 0) >= 100 end) as ok
            from s where Measure in ('KS2_READ', 'KS2_MAT', 'KS2_WRIT_TA') group by UPN)""").fetchone()[
        0
    ]
    assert abs(rwm - ks2["rwm"]) <= 5
