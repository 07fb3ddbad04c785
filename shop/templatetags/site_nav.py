"""`{% site_section request.path as section %}`: which of the header's links is the current page,
as one word, so the header can be remembered per section (shop.templatetags.remembered) rather than
per path."""

from django import template

register = template.Library()

# (section, path or path prefix, whether any page under it counts)
SECTIONS = (
    ("catalogue", "/catalogue/", True),
    ("blog", "/blog/", True),
    ("glossary", "/glossary/", True),
    ("accounts", "/accounts/", True),
    ("search", "/search/", False),
    ("basket", "/basket/", False),
)


@register.simple_tag
def site_section(path: str) -> str:
    for section, start, below in SECTIONS:
        if path == start or (below and path.startswith(start)):
            return section
    return ""
