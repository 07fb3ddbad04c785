"""The 503 page for a database that does not answer: while PostgreSQL is down or restarting,
every request gets the shop's own page at once, with Retry-After, and one log line."""

import sys

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.utils.log import log_response
from django.views import defaults

from shop import replicas
from shop.outages import database_is_unreachable

RETRY_AFTER_SECONDS = 30


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
    if isinstance(error, (OperationalError, InterfaceError)) and database_is_unreachable():
        return database_unavailable(request, error)
    return defaults.server_error(request)


def database_unavailable(request, error: Exception) -> HttpResponse:
    response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # One line instead of Django's traceback (log_response marks the response as logged).
    cause = error.__cause__ or error
    reason = " ".join(str(cause).split())[:200]
    log_response(
        "Database unavailable (%s: %s): %s",
        type(cause).__name__,
        reason,
        request.path,
        response=response,
        request=request,
    )
    return response
