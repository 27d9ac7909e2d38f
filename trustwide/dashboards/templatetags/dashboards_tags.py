from django import template

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
