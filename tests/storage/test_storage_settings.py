"""MEDIA_BUCKET and friends turn media over to object storage (shop.storage); a public URL that
is not one is refused when the process starts."""

import json

from tests.test_settings import run_with

BUCKET = {
    "MEDIA_BUCKET": "shop-media",
    "MEDIA_ENDPOINT_URL": "http://127.0.0.1:9",
    "MEDIA_REGION": "eu-west-1",
    "MEDIA_ACCESS_KEY_ID": "key",
    "MEDIA_SECRET_ACCESS_KEY": "secret",
}
SHOW_STORAGE = """
import json, django
django.setup()
from django.conf import settings
from django.core.files.storage import storages
from django.urls import Resolver404, resolve
from catalogue.images import thumbnail_url
try:
    served_here = bool(resolve("/media/images/pin.png"))
except Resolver404:
    served_here = False
options = settings.STORAGES["default"].get("OPTIONS", {})
print(json.dumps({
    "backend": type(storages["default"]).__name__,
    "options": {k: options.get(k) for k in ("bucket_name", "endpoint_url", "region_name")},
    "url": storages["default"].url("images/products/pin.png"),
    "thumbnail": thumbnail_url("images/products/pin.png", "card"),
    "served_here": served_here,
}))
"""


def storage_under(env: dict[str, str]) -> dict:
    result = run_with(env, "-c", SHOW_STORAGE)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_bucket_with_a_public_url_stores_media_there_and_pages_link_the_public_url():
    shown = storage_under(BUCKET | {"MEDIA_PUBLIC_URL": "https://media.example.com/shop/"})

    assert shown["backend"] == "ObjectStorage"
    assert shown["options"] == {
        "bucket_name": "shop-media",
        "endpoint_url": "http://127.0.0.1:9",
        "region_name": "eu-west-1",
    }
    assert shown["url"] == "https://media.example.com/shop/images/products/pin.png"
    assert shown["thumbnail"].startswith("https://media.example.com/shop/cache/")
    assert not shown["served_here"]  # the store serves its files, not the app


def test_a_public_url_without_a_scheme_is_refused_at_start():
    result = run_with(BUCKET | {"MEDIA_PUBLIC_URL": "media.example.com"}, "-c", SHOW_STORAGE)

    assert result.returncode != 0
    assert "MEDIA_PUBLIC_URL is the address pages link media at" in result.stderr


def test_without_a_bucket_media_stays_on_local_disk_served_by_the_app_in_debug():
    shown = storage_under({})

    assert shown["backend"] == "FileSystemStorage"
    assert shown["url"] == "/media/images/products/pin.png"
    assert shown["served_here"]
