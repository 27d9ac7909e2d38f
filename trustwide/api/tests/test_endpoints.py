"""What BI tools rely on: KPI values with their context, filters refused with a clear message,
another trust's school absent, the CSV/JSON download, import submission all-or-nothing."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.world import make_year
from trustwide.data.models import ImportBatch, ImportStatus, Pupil
from trustwide.kpis.models import KpiTarget, KpiValue

YEAR = 2025
VALUES = "/api/v1/kpis/values"


def _value(world, year, code, value, *, school, pupils=120, suppressed=False, level="school"):
    return KpiValue.objects.create(
        trust=world.trust_a,
        academic_year=year,
        kpi_code=code,
        level=level,
        school=school,
        period="year",
        group="all",
        value=None if suppressed else value,
        pupils=pupils,
        suppressed=suppressed,
        computed_at=timezone.now(),
    )


@pytest.fixture
def kpis(world):
    _value(world, YEAR, "overall_absence", 6.5, school=world.school_a1)
    _value(world, YEAR - 1, "overall_absence", 5.0, school=world.school_a1)
    _value(
        world, YEAR, "persistent_absence", None, school=world.school_a1, suppressed=True, pupils=8
    )
    _value(world, YEAR, "overall_absence", 4.0, school=world.school_a2)
    _value(world, YEAR, "overall_absence", 5.5, school=None, level="trust")
    KpiTarget.objects.create(
        trust=world.trust_a, school=None, academic_year=YEAR, kpi_code="overall_absence", target=6.0
    )
    return world


def _rows(response):
    assert response.status_code == 200, response.content
    return {(r["level"], r["school_id"], r["kpi"]): r for r in response.json()}


def test_kpi_values_carry_their_context(kpis, client, tokens):
    world = kpis
    rows = _rows(
        client.get(
            VALUES,
            {
                "trust": world.trust_a.pk,
                "academic_year": YEAR,
                "kpi": ["overall_absence", "persistent_absence"],
            },
            **tokens["trust_leader"],
        )
    )
    a1 = rows[("school", world.school_a1.pk, "overall_absence")]
    assert (a1["value"], a1["n"], a1["target"], a1["target_source"], a1["last_year"]) == (
        6.5,
        120,
        6.0,
        "trust default",
        5.0,
    )
    assert (
        a1["change"] == pytest.approx(1.5)
        and a1["academic_year"] == YEAR
        and a1["period"] == "year"
    )
    assert a1["national"] is None or isinstance(a1["national"]["academic_year"], int)
    suppressed = rows[("school", world.school_a1.pk, "persistent_absence")]
    assert suppressed["suppressed"] is True and suppressed["value"] is None and suppressed["n"] == 8
    assert rows[("trust", None, "overall_absence")]["value"] == 5.5
    assert rows[("school", world.school_a2.pk, "overall_absence")]["value"] == 4.0


def test_kpi_values_are_narrowed_like_the_page(kpis, client, tokens):
    world = kpis
    rows = _rows(
        client.get(
            VALUES,
            {"trust": world.trust_a.pk, "academic_year": YEAR, "kpi": "overall_absence"},
            **tokens["headteacher"],
        )
    )
    # A head sees their school only, and no trust figure (that needs kpi.view at trust level).
    assert set(rows) == {("school", world.school_a1.pk, "overall_absence")}


def test_one_school_with_every_kpi(kpis, client, tokens):
    world = kpis
    rows = _rows(
        client.get(
            VALUES,
            {"trust": world.trust_a.pk, "school": world.school_a1.pk, "academic_year": YEAR},
            **tokens["headteacher"],
        )
    )
    assert (
        len(rows) > 10 and rows[("school", world.school_a1.pk, "overall_absence")]["value"] == 6.5
    )
    assert {r["school_id"] for r in rows.values()} == {world.school_a1.pk}


@pytest.mark.parametrize(
    "who, school",
    [("trust_leader", "school_b1"), ("headteacher", "school_a2"), ("trust_b_leader", "school_a1")],
)
def test_a_school_outside_the_scope_is_404(kpis, client, tokens, who, school):
    world = kpis
    trust = world.trust_b if who == "trust_b_leader" else world.trust_a
    response = client.get(
        VALUES, {"trust": trust.pk, "school": getattr(world, school).pk}, **tokens[who]
    )
    assert response.status_code == 404
    assert (
        client.get(f"/api/v1/schools/{getattr(world, school).pk}", **tokens[who]).status_code == 404
    )


@pytest.mark.parametrize(
    "query, where",
    [
        ({"kpi": "no_such_kpi"}, "kpi"),
        ({"period": "winter"}, "period"),
        ({"group": "left_handed"}, "group"),
        ({"academic_year": "last"}, "academic_year"),
        ({"academic_year": 1900}, "academic_year"),
        ({"school": "abc"}, "school"),
    ],
)
def test_bad_filters_are_422_naming_the_parameter(kpis, client, tokens, query, where):
    response = client.get(VALUES, {"trust": kpis.trust_a.pk, **query}, **tokens["trust_leader"])
    assert response.status_code == 422
    problems = response.json()["detail"]
    assert any(where in p["loc"] for p in problems) and all(p["msg"] for p in problems)


def test_missing_trust_filter_is_422(kpis, client, tokens):
    response = client.get(VALUES, **tokens["trust_leader"])
    assert response.status_code == 422 and any(
        "trust" in p["loc"] for p in response.json()["detail"]
    )


def test_download_csv_and_json_with_the_same_scope(kpis, client, tokens):
    world = kpis
    query = {"trust": world.trust_a.pk, "academic_year": YEAR, "kpi": "overall_absence"}
    response = client.get(VALUES + "/download", {**query, "format": "csv"}, **tokens["headteacher"])
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    table = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["kpi"], r["school_id"], r["value"]) for r in table] == [
        ("overall_absence", str(world.school_a1.pk), "6.5")
    ]
    as_json = client.get(
        VALUES + "/download", {**query, "format": "json"}, **tokens["trust_leader"]
    )
    assert as_json.status_code == 200 and {r["school_id"] for r in as_json.json()} == {
        None,
        world.school_a1.pk,
        world.school_a2.pk,
    }
    assert (
        client.get(
            VALUES + "/download", {**query, "format": "xml"}, **tokens["trust_leader"]
        ).status_code
        == 422
    )


def test_lists_are_paginated_the_library_way(world, client, tokens):
    response = client.get("/api/v1/schools", {"limit": 1, "offset": 1}, **tokens["trust_leader"])
    body = response.json()
    assert response.status_code == 200 and body["count"] == 2 and len(body["items"]) == 1


def _marks(urn, code="/"):
    return (
        f"URN;UPN;Date;Session;Code\n{urn};A123456789012;08/09/2025;AM;/\n"
        f"{urn};A123456789012;08/09/2025;PM;{code}\n"
    ).encode()


def _roll(urn, extra=""):
    return (
        "URN,UPN,Surname,Forename,DOB,Year group,Sex,Disadvantaged,FSM,SEN,EAL,Prior attainment,"
        "Date joined,Date left\n"
        f"{urn},A123456789012,Jones,Siân,03/05/2016,4,F,Y,Y,N,N,middle,01/09/2020,\n" + extra
    ).encode()


def _submit(
    client,
    world,
    tokens,
    content,
    *,
    role="school_data_manager",
    school=None,
    dataset="characteristics",
    capture=None,
    year=YEAR,
    name="roll.csv",
):
    data = {
        "trust": world.trust_a.pk,
        "dataset": dataset,
        "academic_year": year,
        "file": SimpleUploadedFile(name, content, content_type="text/csv"),
    }
    if school is not None:
        data["school"] = school.pk
    with capture(execute=True):
        return client.post("/api/v1/imports", data, **tokens[role])


def test_import_submission_is_stored_through_the_import_service(
    world, client, tokens, django_capture_on_commit_callbacks
):
    make_year(world.trust_a, YEAR, current=False)
    response = _submit(
        client,
        world,
        tokens,
        _roll(world.school_a1.urn),
        school=world.school_a1,
        capture=django_capture_on_commit_callbacks,
    )
    assert response.status_code == 202
    batch = ImportBatch.objects.get(pk=response.json()["id"])
    assert batch.status == ImportStatus.STORED and batch.rows == 1
    status = client.get(f"/api/v1/imports/{batch.pk}", **tokens["school_data_manager"]).json()
    assert status["status"] == "stored" and status["errors"] == []
    # Pupil names are kept in the app database and never appear in the API's answer.
    assert Pupil.objects.filter(forename="Siân").exists() and "Jones" not in str(status)


def test_import_submission_with_a_bad_row_stores_nothing_and_reports_it(
    world, client, tokens, django_capture_on_commit_callbacks
):
    make_year(world.trust_a, YEAR, current=False)
    bad = _roll(
        world.school_a1.urn,
        extra=f"{world.school_a1.urn},B123456789012,Khan,Omar,31/02/2015,5,M,N,N,K,Y,"
        "high,01/09/2019,\n",
    )
    response = _submit(
        client,
        world,
        tokens,
        bad,
        school=world.school_a1,
        capture=django_capture_on_commit_callbacks,
    )
    batch = ImportBatch.objects.get(pk=response.json()["id"])
    status = client.get(f"/api/v1/imports/{batch.pk}", **tokens["school_data_manager"]).json()
    assert status["status"] == "failed" and status["error_count"] == 1
    assert status["errors"][0].startswith(
        "roll.csv row 3, column 'DOB': '31/02/2015' is not a date"
    )
    assert not Pupil.objects.exists()


def test_import_submission_refusals(world, client, tokens, django_capture_on_commit_callbacks):
    cap = django_capture_on_commit_callbacks
    # Another trust's school: absent.
    assert (
        _submit(
            client, world, tokens, _roll(world.school_b1.urn), school=world.school_b1, capture=cap
        ).status_code
        == 404
    )
    # A school they see but may not import for: 403 with the data app's message.
    refused = _submit(
        client,
        world,
        tokens,
        _roll(world.school_a1.urn),
        role="headteacher",
        school=world.school_a1,
        capture=cap,
    )
    assert refused.status_code == 403 and "may not import" in refused.json()["detail"]
    # An unknown dataset: 422 naming the field and the expected ones.
    unknown = _submit(
        client, world, tokens, b"x", dataset="shoe_sizes", school=world.school_a1, capture=cap
    )
    assert unknown.status_code == 422 and "dataset" in unknown.json()["detail"][0]["loc"]
    assert "characteristics" in unknown.json()["detail"][0]["msg"]
    # The upload page's checks: the file type, and a year the trust has.
    pdf = _submit(
        client, world, tokens, b"%PDF", school=world.school_a1, capture=cap, name="roll.pdf"
    )
    assert (
        pdf.status_code == 400
        and "'roll.pdf' is not a CSV or Excel file" in pdf.json()["detail"]["file"][0]
    )
    year = _submit(
        client,
        world,
        tokens,
        _roll(world.school_a1.urn),
        school=world.school_a1,
        capture=cap,
        year=2019,
    )
    assert year.status_code == 400 and "academic_year" in year.json()["detail"]
    # A trust-wide file (no school) needs a trust data manager.
    whole = _submit(client, world, tokens, _roll(world.school_a1.urn), capture=cap)
    assert whole.status_code == 403 and "several schools" in whole.json()["detail"]
    assert not ImportBatch.objects.exists()


def test_plan_with_priorities_criteria_and_termly_rag(world, client, tokens):
    from trustwide.planning.models import RagRating
    from trustwide.planning.tests.factories import first, plan_for

    plan = plan_for(world.school_a1)
    criterion = first(plan, "criteria")
    criterion.kpi_code, criterion.kpi_group = "ta_expected_reading", "disadvantaged_gap"
    criterion.save()
    term = plan.academic_year.terms.order_by("number").first()
    RagRating.objects.create(
        plan=plan, term=term, kind="criterion", criterion=criterion, rating="amber"
    )
    body = client.get(f"/api/v1/plans/{plan.pk}", **tokens["headteacher"]).json()
    [priority] = body["priorities"]
    [c] = priority["criteria"]
    assert priority["title"] == "Close the reading gap" and (c["baseline"], c["target"]) == (
        "60",
        "72",
    )
    assert (c["kpi_code"], c["kpi_group"]) == ("ta_expected_reading", "disadvantaged_gap")
    assert c["rag"][0] == {"term": term.name, "rating": "amber"} and all(
        r["rating"] is None for r in c["rag"][1:]
    )
    assert len(c["rag"]) == plan.academic_year.terms.count()
    listed = client.get("/api/v1/plans", **tokens["headteacher"]).json()
    assert [p["id"] for p in listed["items"]] == [plan.pk]


def test_sef_judgements_and_validations(world, client, tokens):
    from trustwide.evaluation.models import Validation
    from trustwide.evaluation.tests.factories import make_sef

    sef = make_sef(world.school_a1, submit=True)
    judgement = sef.judgements.first()
    Validation.objects.create(
        judgement=judgement,
        validator_name="Ofsted",
        role="inspection",
        agrees=True,
        grade_code=judgement.grade_code,
    )
    body = client.get(f"/api/v1/sefs/{sef.pk}", **tokens["trust_leader"]).json()
    first_area = next(j for j in body["judgements"] if j["area"] == judgement.area_code)
    assert first_area["grade"] == judgement.grade_code
    assert (
        first_area["validations"][0]["validator"] == "Ofsted"
        and first_area["validations"][0]["agrees"] is True
    )
    assert [
        s["id"]
        for s in client.get(
            f"/api/v1/schools/{world.school_a1.pk}/sefs", **tokens["trust_leader"]
        ).json()
    ] == [sef.pk]
    # A teacher sees the school but not its SEFs: refused, as on the SEF page, with the reason.
    refused = client.get(f"/api/v1/sefs/{sef.pk}", **tokens["teacher"])
    assert refused.status_code == 403 and "self-evaluations" in refused.json()["detail"]
