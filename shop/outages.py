"""Whether a database error means the database is not answering (down, restarting, a failover),
as opposed to a statement that failed on a working connection. Its own module, with nothing but
Django's database layer, so that any part of the shop may ask (shop.payments included)."""

from django.db import DatabaseError, InterfaceError, OperationalError, connections


def database_is_unreachable() -> bool:
    """A connection of this request failed and is gone or unusable: a refused connect, a server
    that restarted under it. A deadlock or a timed-out statement leaves it usable: a 500 then."""
    for conn in connections.all(initialized_only=True):
        if not conn.errors_occurred:
            continue
        if conn.connection is None:
            return True
        try:
            if not conn.is_usable():
                return True
        except DatabaseError:
            return True
    return False


def one_line(error: BaseException) -> str:
    """An error's message for a log line: on one line, at most 200 characters (a driver's may
    span several, with the server's detail)."""
    return " ".join(str(error).split())[:200]


def is_outage(error: BaseException) -> bool:
    """Whether an error this request's database work raised is the database not answering: one
    line in the log then (shop.errors says the rest), where any other error keeps its traceback."""
    return isinstance(error, (OperationalError, InterfaceError)) and database_is_unreachable()
