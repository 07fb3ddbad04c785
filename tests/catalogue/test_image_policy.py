"""One image policy for every staff upload: decoded in full, bounded, JPEG/PNG/WebP only, and stored
re-encoded so nothing but pixels survives (catalogue.image_policy)."""

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from catalogue.image_policy import clean_image
from tests import pictures

GPS_IFD = 0x8825


def refusal(upload) -> ValidationError:
    with pytest.raises(ValidationError) as refused:
        clean_image(upload)
    return refused.value


def stored(upload) -> tuple[bytes, Image.Image]:
    cleaned = clean_image(upload)
    content = cleaned.read()
    image = Image.open(io.BytesIO(content))
    image.load()
    return content, image


def test_a_huge_picture_of_a_few_kilobytes_is_refused_before_any_pixel_is_decoded(
    no_pixels_decoded,
):
    bomb = pictures.huge_png()
    assert bomb.size < 64 * 1024

    error = refusal(bomb)

    assert error.code == "too_many_pixels"
    assert "10000x10000 pixels (100.0 megapixels); the limit is 40 megapixels" in error.message % (
        error.params or {}
    )


def test_a_picture_past_pillows_own_bomb_limit_is_refused_as_too_large_not_as_unknown():
    bomb = pictures.upload(pictures.picture_bytes("PNG", size=(20_000, 10_000), mode="1"), "b.png")
    error = refusal(bomb)
    assert error.code == "far_too_many_pixels"
    assert "the limit is 40 megapixels" in str(error.messages[0])


def test_a_file_over_8_mb_is_refused_with_its_size_and_the_limit():
    error = refusal(pictures.heavy_bmp())
    assert error.code == "file_too_large"
    assert "the limit is 8.0\xa0MB" in str(error.messages[0])


def test_the_limits_are_settings(settings):
    settings.IMAGE_MAX_PIXELS = 1000
    assert refusal(pictures.png(size=(40, 30))).code == "too_many_pixels"
    settings.IMAGE_MAX_PIXELS, settings.IMAGE_MAX_BYTES = 40_000_000, 100
    assert refusal(pictures.png(size=(40, 30))).code == "file_too_large"


def test_a_truncated_jpeg_is_refused_as_damaged():
    error = refusal(pictures.truncated_jpeg())
    assert error.code == "damaged_image"
    assert "damaged or incomplete" in str(error.messages[0])


@pytest.mark.parametrize(
    "upload",
    [
        pictures.gif_html_polyglot(),
        pictures.upload(pictures.picture_bytes("GIF", mode="P"), "still.gif", "image/gif"),
        pictures.upload(pictures.picture_bytes("BMP"), "photo.png"),
        pictures.upload(pictures.picture_bytes("TIFF"), "photo.jpg", "image/jpeg"),
        pictures.upload(b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "x.png"),
        pictures.upload(pictures.HTML, "page.jpg", "image/jpeg"),
    ],
    ids=["gif-html-polyglot", "gif", "bmp-named-png", "tiff-named-jpg", "svg", "html"],
)
def test_anything_but_jpeg_png_or_webp_is_refused_whatever_its_name_and_content_type(upload):
    error = refusal(upload)
    assert error.code == "unsupported_image"
    assert "JPEG, PNG or WebP" in str(error.messages[0])


def test_html_after_the_end_of_a_png_does_not_survive_re_encoding():
    content, image = stored(pictures.png_with_html_tail())
    assert image.format == "PNG"
    assert b"<script" not in content and b"<html" not in content


def test_a_photo_loses_its_gps_camera_and_comment_but_keeps_its_pixels():
    content, image = stored(pictures.jpeg_with_gps_and_comment())

    assert image.format == "JPEG"
    assert image.size == (60, 40)
    assert not image.getexif() and not image.getexif().get_ifd(GPS_IFD)
    assert b"Exif" not in content and b"PhoneMaker" not in content and b"<script" not in content
    assert "comment" not in image.info and "icc_profile" not in image.info
    assert image.getpixel((5, 20))[2] > 150  # still blue on the left


def test_the_exif_orientation_is_applied_before_it_is_stripped():
    # Orientation 6: the camera was turned; viewers rotate the 60x40 picture to 40x60.
    _, image = stored(pictures.jpeg_with_gps_and_comment(orientation=6))
    assert image.size == (40, 60)
    assert image.getpixel((20, 5))[2] > 150  # the blue half is now on top


def test_png_and_webp_keep_their_transparency():
    for fmt in ("PNG", "WEBP"):
        transparent = pictures.upload(
            pictures.picture_bytes(fmt, mode="RGBA", color=(10, 20, 30, 0)), f"clear.{fmt.lower()}"
        )
        _, image = stored(transparent)
        assert image.format == fmt
        assert image.mode == "RGBA" and image.getpixel((0, 0))[3] == 0


def test_xmp_and_text_chunks_are_dropped_from_png_and_webp():
    png_text = Image.new("RGB", (8, 8))
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    info.add_text("XML:com.adobe.xmp", "<x:xmpmeta>GPS</x:xmpmeta>")
    buffer = io.BytesIO()
    png_text.save(buffer, "PNG", pnginfo=info)
    content, image = stored(pictures.upload(buffer.getvalue(), "text.png"))
    assert b"<script" not in content and b"xmpmeta" not in content and not image.text

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "WEBP", xmp=b"<x:xmpmeta>GPS</x:xmpmeta>", exif=b"")
    content, _ = stored(pictures.upload(buffer.getvalue(), "meta.webp", "image/webp"))
    assert b"xmpmeta" not in content


def test_the_stored_name_keeps_the_stem_and_takes_the_extension_of_what_was_decoded():
    jpeg_named_png = pictures.upload(pictures.picture_bytes("JPEG"), "Front View.png")
    assert clean_image(jpeg_named_png).name == "Front View.jpg"
    assert clean_image(pictures.png(name="side.PNG")).name == "side.png"
