"""The load balancer's probes: `/healthz` (this process answers) and `/readyz` (it can serve a
page: the database, the shared cache and the media storage each answer within a short time)."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, transaction
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

# A name no upload takes: asking whether it exists is a stat on disk, a HEAD on S3.
STORAGE_PROBE = "readyz-probe"

# The cache and storage checks run here, so that one that hangs (a storage server that accepts
# and never answers) costs the probe `READYZ_TIMEOUT`, not the backend's own timeout. A check
# still running from an earlier probe is not started again: hung threads cannot pile up.
_checks = ThreadPoolExecutor(max_workers=2, thread_name_prefix="readyz")
_running: dict[str, Future] = {}
_running_lock = threading.Lock()
_last_failing: tuple[str, ...] = ()


@transaction.non_atomic_requests
@never_cache
@require_safe
def healthz(request):
    """The process answers: nothing else is asked, so a database or Redis outage never gets a
    healthy worker restarted."""
    return JsonResponse({"status": "ok"})


@transaction.non_atomic_requests  # the database check opens what it needs, no transaction
@never_cache
@require_safe
def readyz(request):
    """200 when this instance can serve pages, else 503 naming the parts that failed. It reads
    no session and sets no cookie: the balancer asks every few seconds."""
    parts = {
        "database": _database_answers(),
        "cache": _within("cache", _cache_answers),
        "storage": _within("storage", _storage_answers),
    }
    failing = tuple(part for part, state in parts.items() if state != "ok")
    _log_change(failing, parts)
    body = {"status": "unavailable" if failing else "ok", **parts}
    if failing:
        body["failing"] = list(failing)
    response = JsonResponse(body, status=503 if failing else 200)
    # _log_change said it: not also Django's "Service Unavailable" line for every probe, once a
    # second from each balancer, for as long as the part is down.
    response._has_been_logged = True
    return response


def _database_answers() -> str:
    # Bounded by the connection's connect_timeout (shop/settings.py); Django's health check
    # replaces a connection the server dropped.
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        return _failed(error)
    return "ok"


def _cache_answers() -> str:
    # The shared cache swallows its errors (a miss): a value read back is the only proof.
    key, token = f"readyz:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, token, 5)
    return "ok" if cache.get(key) == token else "not answering"


def _storage_answers() -> str:
    default_storage.exists(STORAGE_PROBE)
    return "ok"


def _within(part: str, check: Callable[[], str]) -> str:
    with _running_lock:
        running = _running.get(part)
        if running is None or running.done():
            running = _running[part] = _checks.submit(check)
    try:
        return running.result(timeout=settings.READYZ_TIMEOUT)
    except FutureTimeout:
        return "timeout"
    except Exception as error:  # any failure of the part's backend means "not ready"
        return _failed(error)


def _failed(error: Exception) -> str:
    return f"failed ({type(error).__name__})"


def _log_change(failing: tuple[str, ...], parts: dict[str, str]) -> None:
    """One line when readiness changes, not one per probe."""
    global _last_failing
    if failing == _last_failing:
        return
    _last_failing = failing
    if failing:
        details = ", ".join(f"{part} {parts[part]}" for part in failing)
        logger.warning("Not ready: %s", details)
    else:
        logger.warning("Ready again")
