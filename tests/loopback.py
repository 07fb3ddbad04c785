"""Stand-in servers on 127.0.0.1 (tests/smtp_standin.py, tests/redis_standin.py): a listener on a
port the OS picks, whose connections go to the subclass's `on_connection()` from one thread, and which
closes everything it opened when the `with` block ends.

`keep_silent()` keeps a connection open and silent, as a server that never answers would, and lets go of
it after `hold_for` seconds so that a failing test still ends.
"""

import contextlib
import socket
import threading
import time


class LoopbackServer:
    def __init__(self, *, hold_for: float = 15.0):
        self.hold_for = hold_for
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._open: list[socket.socket] = []
        self._silent: list[tuple[float, socket.socket]] = []

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
            with contextlib.suppress(OSError):  # the other side has gone already
                each.shutdown(socket.SHUT_RDWR)
            each.close()

    def on_connection(self, connection: socket.socket) -> None:
        raise NotImplementedError

    def keep_silent(self, connection: socket.socket) -> None:
        self._silent.append((time.monotonic(), connection))

    def _serve(self) -> None:
        while not self._stopped.is_set():
            try:
                connection, _address = self._listener.accept()
            except TimeoutError:
                pass
            else:
                self._open.append(connection)
                self.on_connection(connection)
            now = time.monotonic()
            for since, connection in [
                each for each in self._silent if now - each[0] > self.hold_for
            ]:
                connection.close()
                self._silent.remove((since, connection))
