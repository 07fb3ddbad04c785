"""Where the app serves uploads itself (DEBUG and `serve_demo`), a file under /media/ is shown only
as a picture: never sniffed, never rendered as HTML or SVG (shop.media)."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import resolve

from shop import media
from tests import pictures


@pytest.fixture
def stored(settings):
    def store(name: str, content: bytes) -> str:
        path = Path(settings.MEDIA_ROOT) / "uploads" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        return f"uploads/{name}"

    return store


@pytest.mark.parametrize(
    ("name", "content_type"),
    [("pin.png", "image/png"), ("pin.jpg", "image/jpeg"), ("pin.webp", "image/webp")],
)
def test_a_picture_is_served_inline_as_itself_and_never_sniffed(rf, stored, name, content_type):
    fmt = {"png": "PNG", "jpg": "JPEG", "webp": "WEBP"}[name.rsplit(".", 1)[1]]
    path = stored(name, pictures.picture_bytes(fmt))

    response = media.serve_media(rf.get(f"/media/{path}"), path)

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.get("Content-Disposition", "inline").startswith("inline")
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


@pytest.mark.parametrize("name", ["page.html", "drawing.svg", "notes.txt", "no-extension"])
def test_anything_else_is_a_download_never_a_page(rf, stored, name):
    path = stored(name, pictures.HTML)

    response = media.serve_media(rf.get(f"/media/{path}"), path)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == "attachment"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_media_urls_resolve_to_the_guarded_view():
    assert resolve(f"{settings.MEDIA_URL}uploads/pin.png", urlconf=media).func is media.serve_media
