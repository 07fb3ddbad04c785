"""`{% product_picture %}`: a product image as a <picture> with WebP and JPEG srcsets (catalogue.images).

    {% load product_media %}
    {% product_picture product.primary_image size="card" alt=product.get_title loading="lazy" %}

Takes a ProductImage, the dict Oscar's `primary_image()` returns when a product has none
(`is_missing`), a catalogue.product_page.PageImage, an ImageField's file or an image's stored
name. Renders only names it can work out, so it never opens an image file or runs a query.
"""

import html

from django import template
from django.db.models.fields.files import FieldFile
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from catalogue.images import JPEG, MISSING_IMAGE, SIZES, WEBP, thumbnail_urls

register = template.Library()


def _source_name(image) -> str | None:
    if not image:
        return None
    if isinstance(image, FieldFile):  # an ImageField's file, e.g. a blog post's hero
        return image.name or None
    if isinstance(image, str):  # an image's stored name, e.g. a blog post's stand-in picture
        return image
    if isinstance(image, dict):
        return None if image.get("is_missing") else getattr(image.get("original"), "name", None)
    original = getattr(image, "original", None)
    return getattr(original, "name", original) or None


def _srcset(urls) -> str:
    return ", ".join(f"{url} {width}w" for url, width in urls)


def _escaped(value) -> str:
    """What `format_html` puts in for each argument (`conditional_escape`), for the few calls
    below: a listing renders this tag for every tile."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


@register.simple_tag
def product_picture(image, size="card", alt="", loading="lazy", sizes=None, css_class=""):
    size = SIZES[size]
    width, height = size.widths[0], size.height(size.widths[0])
    eager = loading == "eager"
    # The first image of a page is its largest paint: fetch it early instead of lazily.
    hints = f' loading="{_escaped(loading)}" decoding="{"auto" if eager else "async"}"'
    if eager:
        hints += ' fetchpriority="high"'
    name = _source_name(image)
    if name is None:
        path, missing_width, missing_height = MISSING_IMAGE
        return format_html(
            '<img class="{}" src="{}" alt="{}" width="{}" height="{}"{}>',
            f"{css_class} is-missing".lstrip(),
            static(path),
            alt,
            missing_width,
            missing_height,
            mark_safe(hints),
        )
    css = f' class="{_escaped(css_class)}"' if css_class else ""
    sizes = _escaped(sizes or size.sizes)
    webp = (
        f'<source type="image/webp" srcset="{_escaped(_srcset(thumbnail_urls(name, size, WEBP)))}" '
        f'sizes="{sizes}">'
        if WEBP in size.formats
        else ""
    )
    jpeg = thumbnail_urls(name, size, JPEG)  # the first is the <img>'s own src
    return mark_safe(
        f'<picture>{webp}<img{css} src="{_escaped(jpeg[0][0])}" srcset="{_escaped(_srcset(jpeg))}" '
        f'sizes="{sizes}" alt="{_escaped(alt)}" width="{width}" height="{height}"{hints}></picture>'
    )
