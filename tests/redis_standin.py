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
import time

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


class RedisStandIn:
    def __init__(self, *, hold_for: float = 15.0):
        self.hold_for = hold_for
        self.silent = True
        self.waited = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._open: list[socket.socket] = []

    @property
    def port(self) -> int:
        return self._listener.getsockname()[1]

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stopped.set()
        self._thread.join()
        self._listener.close()
        for each in self._open:
            each.close()

    def _serve(self) -> None:
        held = []
        while not self._stopped.is_set():
            try:
                connection, _address = self._listener.accept()
            except TimeoutError:
                pass
            else:
                self._open.append(connection)
                if self.silent:
                    self.waited += 1
                    held.append((time.monotonic(), connection))
                else:
                    self._relay(connection)
            now = time.monotonic()
            for since, connection in [each for each in held if now - each[0] > self.hold_for]:
                connection.close()
                held.remove((since, connection))

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
