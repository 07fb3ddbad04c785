"""Fixtures of the catalogue's tests."""

import pytest
from django.core.cache import cache
from PIL import ImageFile

from shop import redis_cache
from tests.catalogue.viewing import shared_cache
from tests.redis_standin import redis_is_reachable


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


@pytest.fixture
def redis(settings):
    """The cache on a shared Redis (`viewing.shared_cache`); yields the test's key prefix."""
    if not redis_is_reachable():
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    prefix = shared_cache(settings)
    yield prefix
    cache.delete_pattern("*")  # this test's keys only
    redis_cache.forget_breakers()
