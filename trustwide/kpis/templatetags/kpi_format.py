"""`{{ value|kpi_number:kpi }}`: a KPI figure (value, target, national, change) to the KPI's own
number of decimals (Progress 8 to 2, as DfE publishes it; the rest to 1), without its unit."""

from django import template

register = template.Library()


@register.filter
def kpi_number(value, kpi) -> str:
    return kpi.number(value)


@register.filter
def kpi_signed(value, kpi) -> str:
    """A change or gap with its sign, to the KPI's decimals: "+0.04", "-1.3"."""
    return "" if value is None else kpi.signed(value)
