"""Fixtures of the catalogue's tests."""

import pytest
from PIL import ImageFile


@pytest.fixture
def no_pixels_decoded(monkeypatch):
    """Fails the test if any image's pixels are decoded (Pillow's ImageFile.load): counted rather
    than timed, so a busy machine cannot make it pass or fail."""
    decoded = []
    real_load = ImageFile.ImageFile.load

    def load(image):
        decoded.append(image.size)
        return real_load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    yield decoded
    assert decoded == [], f"pixels were decoded for images of size {decoded}"
