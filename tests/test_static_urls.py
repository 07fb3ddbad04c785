"""The production static storage (shop.static_storage) remembers each file's URL, and answers what
WhiteNoise's storage answers: the manifest's hashed name, or the plain one while DEBUG is on."""

import json

import pytest
from whitenoise.storage import CompressedManifestStaticFilesStorage

from shop.static_storage import RememberingStaticFilesStorage

pytestmark = pytest.mark.django_db  # the suite's own fixtures use the database


def storages(tmp_path):
    manifest = {"paths": {"shop/css/shop.css": "shop/css/shop.0123abcd.css"}, "version": "1.1"}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    return (
        RememberingStaticFilesStorage(location=tmp_path),
        CompressedManifestStaticFilesStorage(location=tmp_path),
    )


def test_a_remembered_url_is_the_manifests_hashed_name(tmp_path, settings):
    settings.DEBUG = False
    remembering, whitenoise = storages(tmp_path)
    for _ in range(2):
        assert remembering.url("shop/css/shop.css") == whitenoise.url("shop/css/shop.css")
    assert remembering.url("shop/css/shop.css").endswith("/shop/css/shop.0123abcd.css")


def test_turning_debug_on_serves_the_plain_names_again(tmp_path, settings):
    settings.DEBUG = False
    remembering, _ = storages(tmp_path)
    assert remembering.url("shop/css/shop.css").endswith("shop.0123abcd.css")
    settings.DEBUG = True
    assert remembering.url("shop/css/shop.css").endswith("/shop/css/shop.css")
