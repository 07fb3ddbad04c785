"""Checks on uploads staff make for posts: a hero image must be a real picture of bounded size."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from PIL import Image

MAX_HERO_BYTES = 8 * 1024 * 1024
MAX_HERO_PIXELS = 40_000_000


@deconstructible
class ImageLimitsValidator:
    """A real image (Pillow can read and verify it) within a file size and a pixel count.

    The pixel bound matters more than the byte bound: a small, highly compressed file can
    decode to gigabytes when the thumbnailer opens it."""

    def __init__(self, *, max_bytes: int = MAX_HERO_BYTES, max_pixels: int = MAX_HERO_PIXELS):
        self.max_bytes = max_bytes
        self.max_pixels = max_pixels

    def __call__(self, upload) -> None:
        if upload.size > self.max_bytes:
            raise ValidationError(
                _("The image is %(size)s; the limit is %(limit)s. Save it smaller or compressed.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(self.max_bytes)},
                code="file_too_large",
            )
        position = upload.tell() if hasattr(upload, "tell") else None
        try:
            upload.seek(0)
            with Image.open(upload) as image:
                # Opening reads the header only, so the size is known before any pixel is decoded.
                width, height = image.size
                if width * height > self.max_pixels:
                    raise ValidationError(
                        _(
                            "The image is %(width)sx%(height)s pixels (%(mp).1f megapixels); "
                            "the limit is %(limit).0f megapixels."
                        )
                        % {
                            "width": width,
                            "height": height,
                            "mp": width * height / 1e6,
                            "limit": self.max_pixels / 1e6,
                        },
                        code="too_many_pixels",
                    )
                image.verify()
        except ValidationError:
            raise
        except Exception as error:  # Pillow raises many types for a broken or foreign file
            raise ValidationError(
                _("This file is not an image we can read (JPEG, PNG, WebP or GIF)."),
                code="invalid_image",
            ) from error
        finally:
            if position is not None:
                upload.seek(position)

    def __eq__(self, other) -> bool:
        return isinstance(other, ImageLimitsValidator) and (self.max_bytes, self.max_pixels) == (
            other.max_bytes,
            other.max_pixels,
        )


validate_hero_image = ImageLimitsValidator()
