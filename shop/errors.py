"""The 503 page for a database that does not answer: while PostgreSQL is down or restarting,
every request gets the shop's own page at once, with Retry-After. The outage is logged as the
Redis breaker's is (shop.redis_cache): one line when it starts, at most one per interval while it
lasts with the count of requests answered 503, one when it ends; no traceback."""

import logging
import sys
import threading
import time
from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, DatabaseError
from django.db.backends.signals import connection_created
from django.http import HttpResponse
from django.template import loader
from django.views import defaults

from shop import replicas
from shop.outages import is_outage, one_line

RETRY_AFTER_SECONDS = 30
REPORT_EVERY_SECONDS = 30

logger = logging.getLogger(__name__)


class DatabaseOutage:
    """What this process has logged of a database outage. It ends when a connection to the
    database is made again (Django's `connection_created`): the outage closed the old ones, so
    the first request that reaches the database afterwards makes one. A page served from the
    cache meanwhile proves nothing, and does not end it."""

    def __init__(self, *, report_every: float, clock: Callable[[], float] = time.monotonic):
        self.report_every = report_every
        self.clock = clock
        self._lock = threading.Lock()
        self.down_since: float | None = None  # None: the database answers, as far as we know
        self.next_report = 0.0
        self.answered = 0  # 503s since the last line

    def answered_503(self, cause: BaseException, path: str) -> None:
        reason = f"{type(cause).__name__}: {one_line(cause)}"
        with self._lock:
            now = self.clock()
            self.answered += 1
            if self.down_since is None:
                self.down_since = now
                logger.error(
                    "Database unavailable (%s): every request answered 503 until it is back; "
                    "first: %s",
                    reason,
                    path.encode("unicode_escape").decode("ascii"),  # a path is the client's
                )
                starts = True
            elif now >= self.next_report:
                logger.error(
                    "Database still unavailable after %.0f s (%s): %s",
                    now - self.down_since,
                    reason,
                    self._counts(),
                )
                starts = False
            else:
                return
            self.answered = 0
            self.next_report = now + self.report_every
        if starts:
            connection_created.connect(self._connected, dispatch_uid=self._uid)

    def _connected(self, connection, **kwargs) -> None:
        if connection.alias != DEFAULT_DB_ALIAS:  # a replica answering says nothing of the primary
            return
        with self._lock:
            if self.down_since is None:
                return
            logger.warning(
                "Database answering again after %.0f s: %s",
                self.clock() - self.down_since,
                self._counts(),
            )
            self.down_since = None
            self.answered = 0
        self.stop_watching()

    def stop_watching(self) -> None:
        connection_created.disconnect(dispatch_uid=self._uid)

    @property
    def _uid(self) -> str:
        return f"{__name__}.outage.{id(self)}"

    def _counts(self) -> str:
        return f"{self.answered} requests answered 503 since the last report"


outage = DatabaseOutage(report_every=REPORT_EVERY_SECONDS)


def server_error(request):
    """Django's 500 view (`handler500`), unless the uncaught error is the database not answering.

    Django calls it while handling the exception, from a view or any middleware (a session read
    or save, the basket), which a middleware's process_exception would not all see."""
    error = sys.exception()
    if isinstance(error, DatabaseError) and replicas.render_runs_again():
        # Thrown away: the page cache renders the page again on the primary, and the shopper
        # gets that. Not logged: the database is not unavailable (shop.replicas logs the replica).
        response = HttpResponse(status=503)
        response._has_been_logged = True
        return response
    if is_outage(error):
        return database_unavailable(request, error)
    return defaults.server_error(request)


def database_unavailable(request, error: Exception) -> HttpResponse:
    response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    outage.answered_503(error.__cause__ or error, request.path)
    response._has_been_logged = True  # no traceback from Django either
    return response
