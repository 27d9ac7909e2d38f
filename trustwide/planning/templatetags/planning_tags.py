from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

LABELS = {"red": "Red", "amber": "Amber", "green": "Green", "blue": "Blue"}


@register.simple_tag
def rag_badge(value, note=""):
    """A RAG rating as text plus colour (never colour alone). `value` is a rating or a string."""
    rating = getattr(value, "rating", value)
    if not rating:
        return mark_safe('<span class="muted">–</span>')  # noqa: S308 - a constant
    derived = getattr(value, "is_derived", False)
    title = note or ("derived" if derived else "")
    return format_html(
        '<span class="rag rag-{}"{}>{}{}</span>',
        rating,
        format_html(' title="{}"', title) if title else "",
        LABELS.get(rating, rating),
        "*" if getattr(value, "kind", "") == "priority" and not derived else "",
    )


@register.filter
def signed(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return value
    return f"+{number}" if number > 0 else ("±0" if number == 0 else str(number))


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None
