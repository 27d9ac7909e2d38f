"""Figures read to each KPI's decimals: Progress 8 as DfE publishes it (2 decimals), so a board
can tell -0.03 from +0.04; every other KPI to 1 decimal."""

from django.template import Context, Template

from trustwide.kpis.definitions import kpi_by_code
from trustwide.kpis.selectors import Reading


def test_progress8_reads_to_two_decimals_and_percentages_to_one():
    p8 = Reading(kpi=kpi_by_code("ks4_progress8"), value=-0.034, computed=True, pupils=120)
    assert p8.display == "-0.03"
    pa = Reading(kpi=kpi_by_code("persistent_absence"), value=18.6666, computed=True, pupils=300)
    assert pa.display == "18.7%"
    a8 = Reading(kpi=kpi_by_code("ks4_attainment8"), value=46.04, computed=True, pupils=120)
    assert a8.display == "46.0"


def test_templates_show_targets_national_and_change_to_the_kpis_decimals():
    template = Template(
        "{% load kpi_format %}{{ r.target|kpi_number:r.kpi }} {{ change|kpi_number:r.kpi }}"
    )
    p8 = Reading(kpi=kpi_by_code("ks4_progress8"), value=0.1, computed=True, target=0.25)
    assert template.render(Context({"r": p8, "change": 0.04})) == "0.25 0.04"
    ks2 = Reading(kpi=kpi_by_code("ks2_rwm_expected"), value=60.0, computed=True, target=65)
    assert template.render(Context({"r": ks2, "change": -1.25})) == "65.0 -1.3"


def test_signed_changes_and_no_negative_zero():
    p8 = kpi_by_code("ks4_progress8")
    assert (p8.signed(0.04), p8.signed(-0.034), p8.signed(0.001)) == ("+0.04", "-0.03", "0.00")
    assert p8.number(-0.004) == "0.00"
    assert kpi_by_code("overall_absence").signed(-0.04) == "0.0"
