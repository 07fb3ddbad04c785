"""A Redis address on 127.0.0.1 whose behaviour a test switches: silent (accepts every connection
and never answers, as over a dropped network path), or the real Redis behind it (each connection
relayed to 127.0.0.1:6379), so a test can bring "Redis" back without changing the cache's
settings.

`waited` counts the connections that reached it while silent: each is a cache call that waited
for its socket timeout. The stand-in lets go of each silent connection after `hold_for` seconds so
that a failing test still ends.
"""

import contextlib
import socket
import threading

from tests.loopback import LoopbackServer

REAL_REDIS = ("127.0.0.1", 6379)


def redis_is_reachable() -> bool:
    try:
        with socket.create_connection(REAL_REDIS, timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def refused_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (as a stopped Redis's)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisStandIn(LoopbackServer):
    def __init__(self, *, hold_for: float = 15.0):
        super().__init__(hold_for=hold_for)
        self.silent = True
        self.waited = 0

    def on_connection(self, connection: socket.socket) -> None:
        if self.silent:
            self.waited += 1
            self.keep_silent(connection)
        else:
            self._relay(connection)

    def _relay(self, client: socket.socket) -> None:
        server = socket.create_connection(REAL_REDIS, timeout=5)
        server.settimeout(None)
        self._open.append(server)
        for source, target in ((client, server), (server, client)):
            threading.Thread(target=_pump, args=(source, target), daemon=True).start()


def _pump(source: socket.socket, target: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            target.sendall(data)
    for each in (source, target):
        with contextlib.suppress(OSError):
            each.shutdown(socket.SHUT_RDWR)
