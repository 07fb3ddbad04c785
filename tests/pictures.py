"""Small pictures made in memory for upload tests: honest ones, damaged ones and hostile ones."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

HTML = b"<html><script>alert(document.cookie)</script></html>"
GPS_LATITUDE = (35.0, 39.0, 29.18)  # Akihabara, to the second


def picture_bytes(
    fmt="PNG", *, size=(64, 48), mode="RGB", color=(240, 120, 175), **params
) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color if mode != "1" else 0).save(buffer, fmt, **params)
    return buffer.getvalue()


def upload(content: bytes, name="picture.png", content_type="image/png") -> SimpleUploadedFile:
    """As the browser posts it: the name and content type are the sender's word, nothing more."""
    return SimpleUploadedFile(name, content, content_type=content_type)


def png(name="picture.png", **kwargs) -> SimpleUploadedFile:
    return upload(picture_bytes("PNG", **kwargs), name)


def huge_png() -> SimpleUploadedFile:
    """10,000 x 10,000 pixels in a few kilobytes: a decompression bomb for the thumbnailer."""
    return upload(picture_bytes("PNG", size=(10_000, 10_000), mode="1"), "huge.png")


def heavy_bmp() -> SimpleUploadedFile:
    """About 9.7 MB (uncompressed) and only 3.2 megapixels: over the byte limit, not the pixel one."""
    return upload(picture_bytes("BMP", size=(1800, 1800)), "heavy.bmp", "image/bmp")


def truncated_jpeg() -> SimpleUploadedFile:
    """A JPEG cut off half-way: its header reads fine, its pixels do not."""
    whole = picture_bytes("JPEG", size=(400, 300), quality=95)
    return upload(whole[: len(whole) // 2], "cut.jpg", "image/jpeg")


def gif_html_polyglot() -> SimpleUploadedFile:
    """A real GIF whose comment is an HTML page: a browser sniffing it would run the script."""
    buffer = io.BytesIO()
    Image.new("P", (8, 8)).save(buffer, "GIF", comment=HTML)
    return upload(buffer.getvalue() + HTML, "polyglot.png", "image/png")


def png_with_html_tail() -> SimpleUploadedFile:
    """A valid PNG with an HTML page after its last chunk (browsers sniff past the end)."""
    return upload(picture_bytes("PNG") + HTML, "tail.png")


def jpeg_with_gps_and_comment(*, orientation: int = 1, size=(60, 40)) -> SimpleUploadedFile:
    """A phone photo: GPS position, camera make, an EXIF orientation, and an HTML comment."""
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, size[0] // 2, size[1]))  # left half blue
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = orientation  # Orientation
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: GPS_LATITUDE, 3: "E", 4: (139.0, 46.0, 1.0)})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, comment=HTML, quality=95)
    return upload(buffer.getvalue(), "IMG_0001.JPG", "image/jpeg")


def read(stored) -> Image.Image:
    """A stored file (a FieldFile or a path) opened with Pillow, pixels loaded."""
    image = Image.open(stored if isinstance(stored, str) else io.BytesIO(stored.read()))
    image.load()
    return image
