"""Progress 8 to 2 decimals on the trust tables and trend charts (DfE publishes it so; a board
must tell -0.03 from +0.04), through the KPI's own format."""

from trustwide.dashboards import charts
from trustwide.dashboards.templatetags.dashboards_tags import reading_cell
from trustwide.kpis.definitions import kpi_by_code
from trustwide.kpis.selectors import Reading


def test_a_trust_table_cell_and_a_trend_chart_show_progress8_to_two_decimals():
    p8 = kpi_by_code("ks4_progress8")
    r = Reading(kpi=p8, value=-0.03, computed=True, pupils=120, change=0.04)
    cell = str(reading_cell({"ks4_progress8": r}, "ks4_progress8"))
    assert "-0.03" in cell and "+0.04 on last year" in cell
    chart = charts.line_chart(
        title="Trust KS4 Progress 8 by year",
        x_labels=["2023/24", "2024/25"],
        series=[("Trust", [0.12, -0.03])],
        unit=p8.unit,
        better=p8.better,
        decimals=p8.decimals,
    )
    assert chart.rows == [["Trust", "0.12", "-0.03"]]
    assert "from 0.12 (2023/24) to -0.03 (2024/25)" in chart.summary
