"""Media in S3-compatible object storage (`MEDIA_BUCKET` and friends in settings), through
django-storages' S3 backend, behaving as the file system storage does where callers can tell:

- a store that cannot be reached, or that refuses, fails with an OSError, as a disk does, so
  callers (catalogue.image_policy's upload, the thumbnail worker) need to know no backend;
- a name is never overwritten: a second "pin.jpg" gets a name of its own. Thumbnails are named
  after their source's name, so an overwritten original would keep the old picture's thumbnails;
- a request waits at most `timeout` seconds and retries once: botocore's defaults (60 s, up to
  five attempts with backoff) would hold a staff upload for minutes while the store is down.

URLs are worked out without the store: the public URL joined to the name, or signed in the
process (SigV4) for a private bucket.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from functools import lru_cache

from boto3.exceptions import Boto3Error
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from storages.backends.s3 import S3Storage


class StorageUnavailable(OSError):
    """The object store did not answer, or refused (credentials, bucket, a server error)."""


@contextmanager
def _failures_as_os_errors(operation: str, name: str):
    try:
        yield
    except (BotoCoreError, ClientError, Boto3Error) as failed:
        raise StorageUnavailable(
            f"object storage: {operation} {name!r} failed: {failed}"
        ) from failed


class ObjectStorage(S3Storage):
    def __init__(self, *, timeout: float = 5, **options):
        options.setdefault("file_overwrite", False)
        options.setdefault(
            "client_config",
            Config(
                connect_timeout=timeout,
                read_timeout=timeout,
                retries={"mode": "standard", "max_attempts": 2},
                signature_version="s3v4",  # botocore may sign links with the retired SigV2
                s3={"addressing_style": options.get("addressing_style")},
            ),
        )
        super().__init__(**options)
        self._signed_url = lru_cache(maxsize=20_000)(self._sign)

    def url(self, name, parameters=None, expire=None, http_method=None):
        if parameters or expire or http_method or self.custom_domain or not self.querystring_auth:
            return super().url(name, parameters, expire, http_method)
        # Signing a link costs about half a millisecond, and a listing links ~100 thumbnails: a
        # link signed in this quarter of its lifetime is handed out again until the quarter ends,
        # so every link is still valid for three quarters of it when a page carries it (pages are
        # cached for minutes), and browsers see one link per picture, which they can cache.
        return self._signed_url(name, int(time.time() // (self.querystring_expire / 4)))

    def _sign(self, name: str, quarter: int) -> str:  # `quarter`: part of the memo's key only
        return super().url(name)

    def _open(self, name, mode="rb"):
        with _failures_as_os_errors("open", name):
            return super()._open(name, mode)

    def _save(self, name, content):
        with _failures_as_os_errors("save", name):
            return super()._save(name, content)

    def delete(self, name):
        with _failures_as_os_errors("delete", name):
            return super().delete(name)

    def exists(self, name):
        with _failures_as_os_errors("check", name):
            return super().exists(name)

    def size(self, name):
        with _failures_as_os_errors("size of", name):
            return super().size(name)

    def listdir(self, path):
        with _failures_as_os_errors("list", path):
            return super().listdir(path)
