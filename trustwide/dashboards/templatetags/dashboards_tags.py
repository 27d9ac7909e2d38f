from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.simple_tag
def sort_query(base_query: str, code: str, dashboard) -> str:
    """Query string that sorts by `code`, flipping direction when already sorted by it."""
    direction = "desc" if dashboard.sort == code and dashboard.direction == "asc" else "asc"
    return f"?{base_query}{'&' if base_query else ''}sort={code}&dir={direction}"


@register.simple_tag
def aria_sort(code: str, dashboard) -> str:
    if dashboard.sort != code:
        return "none"
    return "descending" if dashboard.direction == "desc" else "ascending"


def _rag(rating) -> str:
    if not rating:
        return ""
    return format_html(
        '<span class="rag rag-{}" title="{}">{}</span>', rating.colour, rating.rule, rating.label
    )


@register.simple_tag
def reading_cell(readings, code):
    """One KPI cell of the trust tables: the same HTML as includes/_reading_cell.html, built in
    Python because a template include per cell was most of a 100-school table's render time."""
    r = readings.get(code) if readings else None
    if not r:
        return mark_safe('<td class="num">–</td>')
    parts = [conditional_escape(r.display)]
    if r.computed:
        change = ""
        if r.change is not None:
            change = format_html("; {} on last year", r.kpi.signed(r.change))
        parts.append(format_html('<span class="cell-meta">{}{}</span>', r.n_label, change))
    if r.target_rating:
        parts.append(
            format_html('\n<span class="cell-meta">target {}</span>', _rag(r.target_rating))
        )
    if r.national_rating:
        parts.append(
            format_html('\n<span class="cell-meta">national {}</span>', _rag(r.national_rating))
        )
    return format_html('<td class="num">{}</td>', mark_safe("".join(parts)))  # noqa: S308
