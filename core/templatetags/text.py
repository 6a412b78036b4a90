"""Template filters for the product's texts."""

from django import template
from django.utils.html import conditional_escape, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter(needs_autoescape=True)
def paragraphs(text, autoescape=True):
    """Each line of ``text`` as its own paragraph, as the letters print it."""
    escape = conditional_escape if autoescape else (lambda value: value)
    lines = [line.strip() for line in str(text or "").split("\n") if line.strip()]
    return mark_safe(format_html_join("", "<p>{}</p>", ((escape(line),) for line in lines)))


def labels(choices) -> dict[str, str]:
    """Each choice's label in the active language, translated once for a page that shows many."""
    return {value: str(label) for value, label in choices.choices}
