"""`{{ value|kpi_number:kpi }}`: a KPI figure (value, target, national, change) to the KPI's own
number of decimals (Progress 8 to 2, as DfE publishes it; the rest to 1), without its unit."""

from django import template

register = template.Library()


@register.filter
def kpi_number(value, kpi) -> str:
    return kpi.number(value)
