from django import template

from core.files import human_size

register = template.Library()


@register.filter
def file_size(value) -> str:
    """12345 → "12 KB"."""
    try:
        return human_size(int(value))
    except (TypeError, ValueError):
        return ""
