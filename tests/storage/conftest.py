"""Media in object storage: a real S3-compatible server (moto's, a subprocess on loopback) shared
by the session, and the shop's storage settings pointed at it for a test."""

import socket
import subprocess
import sys
import time

import boto3
import pytest
from django.utils.functional import empty
from sorl.thumbnail import default as sorl_default

BUCKET = "shop-media"
REGION = "us-east-1"
KEYS = {"aws_access_key_id": "test-key", "aws_secret_access_key": "test-secret"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ObjectStore:
    """moto's S3 server on one port for the session; stopped for a test about an outage, and
    started again (empty, with the bucket) for the next test that needs it."""

    def __init__(self):
        self.port = free_port()
        self.process = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def public_url(self) -> str:
        return f"{self.endpoint}/{BUCKET}"

    def start(self) -> None:
        if self.process is not None:
            return
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                self.client().create_bucket(Bucket=BUCKET)
                return
            except Exception:  # not listening yet
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto's S3 server did not start") from None
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def client(self):
        return boto3.client("s3", endpoint_url=self.endpoint, region_name=REGION, **KEYS)

    def empty(self) -> None:
        for key in self.keys():
            self.client().delete_object(Bucket=BUCKET, Key=key)

    def keys(self, prefix: str = "") -> set[str]:
        listed = self.client().list_objects_v2(Bucket=BUCKET, Prefix=prefix)
        return {entry["Key"] for entry in listed.get("Contents", ())}


@pytest.fixture(scope="session")
def object_store():
    store = ObjectStore()
    yield store
    store.stop()


def forget_storages() -> None:
    """sorl keeps the thumbnail storage it first looked up; Django forgets its own on the
    settings change."""
    sorl_default.storage._wrapped = empty


@pytest.fixture
def media_in_object_store(settings, object_store):
    """The shop's media in the bucket of the running server, emptied."""
    object_store.start()
    object_store.empty()
    yield from stored_in(object_store, settings)


@pytest.fixture
def media_in_private_bucket(settings, object_store):
    """The same, with no public URL: pages link signed URLs."""
    object_store.start()
    object_store.empty()
    yield from stored_in(object_store, settings, public=False)


@pytest.fixture
def media_in_stopped_object_store(settings, object_store):
    """The shop's media in the bucket of a server that has stopped."""
    object_store.stop()
    yield from stored_in(object_store, settings)


def stored_in(object_store, settings, *, public: bool = True):
    """STORAGES as shop/settings.py writes them for MEDIA_BUCKET, MEDIA_ENDPOINT_URL and
    MEDIA_PUBLIC_URL (or none)."""
    links = {
        "custom_domain": object_store.public_url.removeprefix("http://") if public else None,
        "url_protocol": "http:",
        "querystring_auth": not public,
        "querystring_expire": 24 * 60 * 60,
    }
    settings.STORAGES = settings.STORAGES | {
        "default": {
            "BACKEND": "shop.storage.ObjectStorage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": object_store.endpoint,
                "region_name": REGION,
                "access_key": KEYS["aws_access_key_id"],
                "secret_key": KEYS["aws_secret_access_key"],
                "addressing_style": "path",
                "timeout": 2,
                **links,
            },
        }
    }
    if public:
        settings.MEDIA_URL = f"{object_store.public_url}/"
    forget_storages()
    yield object_store
    forget_storages()
