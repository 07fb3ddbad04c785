"""The shop on a live server at 127.0.0.1, for tests that talk HTTP to it: the browser journeys
and the benchmark's order placer. It needs committed data: such tests use `transactional_db`."""

from __future__ import annotations

import threading

from django.core.servers.basehttp import ThreadedWSGIServer
from pytest_django.live_server_helper import LiveServer

LOOPBACK = "127.0.0.1"


class OneRequestAtATimeServer(ThreadedWSGIServer):
    """The live server for an in-memory SQLite test database.

    Every thread then shares the test's one connection, so two requests at once (a page and a
    Stripe webhook from the simulator) would interleave their transactions on it. Connections
    stay concurrent (Chromium keeps several open); only the application runs one at a time.
    """

    def set_app(self, application):
        lock = threading.Lock()

        def one_at_a_time(environ, start_response):
            with lock:
                return application(environ, start_response)

        super().set_app(one_at_a_time)


def start_live_server() -> LiveServer:
    """pytest-django's live server, on 127.0.0.1 rather than "localhost".

    Start it after the test database (from a session fixture that asks for `django_db_setup`), so
    that with in-memory SQLite it shares the test's connection: a thread opening its own would find
    tables locked by the others, not wait for them.
    """
    server = LiveServer(LOOPBACK, start=False)
    if server.thread.connections_override:  # in-memory SQLite
        server.thread.server_class = OneRequestAtATimeServer
    server.start()
    return server
