"""`{{ html|plain_text }}`: the text of sanitised HTML (catalogue.staff_html), for meta tags."""

from django import template

from catalogue.structured_data import plain_text as as_plain_text

register = template.Library()


@register.filter
def plain_text(markup) -> str:
    return as_plain_text(str(markup or ""))
