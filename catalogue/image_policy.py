"""The one policy for pictures staff upload (product, category and blog hero images): a JPEG, PNG or
WebP of at most `IMAGE_MAX_BYTES` and `IMAGE_MAX_PIXELS`, decoded in full, and stored re-encoded.

Re-encoding is the point: only the decoded pixels are written back, so EXIF (GPS included), XMP,
ICC profiles, comments, text chunks and bytes hidden after the image (HTML/GIF polyglots) are gone,
and a file Pillow cannot decode to the last pixel never reaches storage or the thumbnailer.
Models use `ImageField` below; every ModelForm built on them (Oscar's dashboard, the admin, the
blog) then checks uploads with `ImageFormField`, so a refusal is a form error, never a 500.
"""

from __future__ import annotations

import io
import logging
import warnings
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageCms, ImageOps

logger = logging.getLogger("catalogue.image_policy")

# Decided by decoding: Pillow is only allowed to try these decoders, whatever the file is called.
EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
# Visually lossless for photos and artwork; smaller than most cameras' own files.
JPEG_QUALITY = 90
WEBP_QUALITY = 90

MESSAGES = {
    "file_too_large": _(
        "The image is %(size)s; the limit is %(limit)s. Save it smaller or more compressed."
    ),
    "too_many_pixels": _(
        "The image is %(width)sx%(height)s pixels (%(megapixels).1f megapixels); the limit is "
        "%(limit).0f megapixels. Scale it down and upload it again."
    ),
    "far_too_many_pixels": _(
        "The image has hundreds of megapixels; the limit is %(limit).0f megapixels. Scale it down "
        "and upload it again."
    ),
    "unsupported_image": _(
        "Upload a valid image: a JPEG, PNG or WebP picture. This file is none of them "
        "(GIF, SVG, BMP, TIFF and other files are not accepted)."
    ),
    "damaged_image": _(
        "Upload a valid image: this %(format)s file is damaged or incomplete (its pixels cannot "
        "all be read). Export it again from the original."
    ),
    "storage_unavailable": _(
        "The image could not be stored: the media storage is not answering. Nothing was saved; "
        "try again in a few minutes."
    ),
}


def max_bytes() -> int:
    return settings.IMAGE_MAX_BYTES


def max_pixels() -> int:
    return settings.IMAGE_MAX_PIXELS


def refuse(code: str, **params) -> ValidationError:
    return ValidationError(MESSAGES[code], code=code, params=params or None)


def open_within_limits(source) -> Image.Image:
    """Open a JPEG, PNG or WebP and check its pixel count from the header, before any pixel is
    decoded: a few kilobytes can declare a 100-megapixel (400 MB) picture."""
    try:
        with warnings.catch_warnings():  # Pillow's warning for 89+ MP: the check below decides
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(source, formats=tuple(EXTENSIONS))
    except Image.DecompressionBombError:  # Pillow's own bound, far above ours, tripped on open
        raise refuse("far_too_many_pixels", limit=max_pixels() / 1e6) from None
    except (Image.UnidentifiedImageError, OSError, ValueError):
        raise refuse("unsupported_image") from None
    width, height = image.size
    if width * height > max_pixels():
        image.close()
        raise refuse(
            "too_many_pixels",
            width=width,
            height=height,
            megapixels=width * height / 1e6,
            limit=max_pixels() / 1e6,
        )
    return image


def clean_image(upload, *, skip_clean: bool = False) -> SimpleUploadedFile | None:
    """The upload as it will be stored: re-encoded pixels only, named after what it decoded as.
    Raises ValidationError (with one of MESSAGES' codes) for anything the policy refuses.
    With `skip_clean`, a file that already carries only pixels answers None (not re-encoded)."""
    if upload.size > max_bytes():
        raise refuse(
            "file_too_large", size=filesizeformat(upload.size), limit=filesizeformat(max_bytes())
        )
    upload.seek(0)
    data = upload.read(max_bytes() + 1)
    image = open_within_limits(io.BytesIO(data))
    if skip_clean and carries_only_pixels(data):
        image.close()
        return None
    fmt = "JPEG" if image.format == "MPO" else image.format  # MPO: a camera's JPEG with extras
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()  # every pixel: a truncated or corrupt file fails here, not in a worker
    except Exception:  # Pillow raises OSError, SyntaxError, ValueError... for broken data
        raise refuse("damaged_image", format=fmt) from None
    content = encode(image, fmt)
    stem = PurePath(upload.name or "image").stem or "image"
    return SimpleUploadedFile(stem + EXTENSIONS[fmt], content, CONTENT_TYPES[fmt])


def encode(image: Image.Image, fmt: str) -> bytes:
    """Upright, in sRGB, and written with nothing but its pixels (and PNG transparency)."""
    image = ImageOps.exif_transpose(image)
    image = to_srgb(image)
    if fmt == "JPEG":
        image = image if image.mode in ("RGB", "L") else image.convert("RGB")
        params = {"quality": JPEG_QUALITY, "optimize": True, "progressive": True}
    elif fmt == "WEBP":
        has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
        params = {"quality": WEBP_QUALITY, "method": 4}
    else:
        params = {"optimize": True}
    # Pillow writes some metadata it finds in `info` (comments, ICC profiles, EXIF): keep only
    # what says which pixels are transparent.
    transparency = image.info.get("transparency")
    image.info = {} if transparency is None else {"transparency": transparency}
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def to_srgb(image: Image.Image) -> Image.Image:
    """Pixels in an embedded colour profile are converted to sRGB, so dropping the profile keeps
    the colours (a CMYK print file or a wide-gamut photo)."""
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image if image.mode != "CMYK" else image.convert("RGB")
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"), outputMode=mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError):  # a broken profile: keep the pixels
        return image if image.mode != "CMYK" else image.convert("RGB")
    converted.info = {k: v for k, v in image.info.items() if k != "icc_profile"}
    return converted


# The chunks `encode` writes; any other (EXIF, XMP, ICC, text, a private chunk) may carry more.
PNG_CHUNKS = {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"}
WEBP_CHUNKS = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF"}
JPEG_INFO = {
    "jfif",
    "jfif_version",
    "jfif_unit",
    "jfif_density",
    "dpi",
    "progressive",
    "progression",
}


def carries_only_pixels(data: bytes) -> bool:
    """Whether a stored file is already as `clean_image` writes them: a JPEG, PNG or WebP with no
    metadata and nothing after its end (so re-encoding it again would only lose quality)."""
    try:
        image = Image.open(io.BytesIO(data), formats=tuple(EXTENSIONS))
    except (Image.UnidentifiedImageError, OSError, ValueError):
        return False
    if image.format == "PNG":
        return _png_chunks(data) <= PNG_CHUNKS
    if image.format == "WEBP":
        return _riff_chunks(data) <= WEBP_CHUNKS
    markers = {marker for marker, _ in image.applist}
    return set(image.info) <= JPEG_INFO and markers <= {"APP0"} and data.endswith(b"\xff\xd9")


def _png_chunks(data: bytes) -> set[bytes]:
    """Chunk types after the signature: length (4), type (4), data, CRC (4)."""
    types, at = set(), 8
    while at + 8 <= len(data):
        types.add(data[at + 4 : at + 8])
        at += 12 + int.from_bytes(data[at : at + 4], "big")
    return types if at == len(data) else types | {b"trailing bytes"}


def _riff_chunks(data: bytes) -> set[bytes]:
    """Chunk types after the RIFF/WEBP header: type (4), length (4), data padded to even."""
    types, at = set(), 12
    if int.from_bytes(data[4:8], "little") + 8 != len(data):
        return {b"trailing bytes"}
    while at + 8 <= len(data):
        size = int.from_bytes(data[at + 4 : at + 8], "little")
        types.add(data[at : at + 4])
        at += 8 + size + size % 2
    return types if at == len(data) else types | {b"trailing bytes"}


class ImageFormField(forms.ImageField):
    """An upload field that answers with the cleaned, re-encoded file (or a form error)."""

    def to_python(self, data):
        upload = forms.FileField.to_python(self, data)  # empty, name and size checks
        if upload is None:
            return None
        return clean_image(upload)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.FileInput) and "accept" not in widget.attrs:
            attrs["accept"] = ",".join(CONTENT_TYPES.values())
        return attrs


class ImageField(models.ImageField):
    """A model ImageField whose forms apply the policy. Its column is Django's ImageField's, so it
    deconstructs as one: swapping it in needs no migration."""

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": ImageFormField, **kwargs})

    def save_form_data(self, instance, data):
        """Store an accepted upload while its form is being checked (ModelForm._post_clean), not
        when the row is saved: a storage that cannot take it is then an error on this field of
        the form, which every form built on the field shows, rather than a 500 after the form
        said yes. An upload whose form is refused for another field stays unreferenced in
        storage, as one does when a save rolls back. Forms may build their instance more than
        once (blog.admin checks a candidate post first): an upload is stored once."""
        super().save_form_data(instance, getattr(data, "stored_as", data))
        file = getattr(instance, self.attname)
        if not file or file._committed:
            return
        try:
            file.save(file.name, file.file, save=False)
        except OSError as error:  # a full disk, or object storage down (shop.storage says so too)
            # One line: an outage of the store is not a bug to trace.
            logger.error("An uploaded image was not stored: %s", " ".join(str(error).split())[:200])
            raise ValidationError({self.name: refuse("storage_unavailable")}) from None
        data.stored_as = file.name

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.ImageField", args, kwargs
