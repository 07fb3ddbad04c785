"""Tags for the error pages Django renders without a request (500.html, 400.html): they read only
settings, never the database, and never fail."""

from django import template
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage

register = template.Library()


@register.simple_tag
def shop_name() -> str:
    return getattr(settings, "OSCAR_SHOP_NAME", "")


@register.simple_tag
def plain_static(path: str) -> str:
    """The file's static URL, hashed when the manifest knows it, else the plain name (WhiteNoise
    serves both): a missing manifest entry must not turn the error page into a second error."""
    try:
        return staticfiles_storage.url(path)
    except Exception:  # ValueError from a manifest without the entry, or no manifest at all
        return settings.STATIC_URL + path
