"""Django's PostgreSQL backend, whose check of a kept connection sends nothing to the server.

With CONN_HEALTH_CHECKS, Django sends `SELECT 1` before the first query of every request that
reuses a connection: one round trip more on each, six in a guest's order. A server that ends a
session (a restart, `pg_terminate_backend`, a pooler's idle timeout) tells the client and closes
the socket, so between requests, when no answer is awaited, a socket with something to read is a
session the server has ended; it is replaced before the request's first query, as Django replaces
one that fails `SELECT 1`. (Anything else the server might send unasked, a notice, costs that
connection a reconnect.) A host that vanishes without a word is no better found by `SELECT 1`,
which would wait as long as the request's own first query.
"""

import select

import psycopg
from django.db.backends.postgresql import base
from psycopg import pq

# A connection between requests: in autocommit, or inside a transaction a test holds open.
_USABLE_STATES = (pq.TransactionStatus.IDLE, pq.TransactionStatus.INTRANS)


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        conn = self.connection
        if conn is None or conn.closed or conn.broken:
            return False
        pgconn = conn.pgconn
        if pgconn.status != pq.ConnStatus.OK or pgconn.transaction_status not in _USABLE_STATES:
            return False
        poller = select.poll()  # not select(): a worker may hold more than 1,024 descriptors
        try:
            poller.register(pgconn.socket, select.POLLIN)
            return not poller.poll(0)
        except (OSError, psycopg.Error):  # no socket: the connection is lost
            return False
