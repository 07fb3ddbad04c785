"""A mail server on 127.0.0.1 that accepts every connection and never says a word.

SMTP starts with the server's greeting: a client without a timeout waits for it forever. The
stand-in lets go of each connection after `hold_for` seconds so that a failing test still ends.
"""

import socket
import threading
import time


class SilentSMTPServer:
    def __init__(self, *, hold_for: float = 15.0):
        self.hold_for = hold_for
        self.connections = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

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

    def _serve(self) -> None:
        held = []
        while not self._stopped.is_set():
            try:
                connection, _address = self._listener.accept()
            except TimeoutError:
                pass
            else:
                self.connections += 1
                held.append((time.monotonic(), connection))
            now = time.monotonic()
            for since, connection in [each for each in held if now - each[0] > self.hold_for]:
                connection.close()
                held.remove((since, connection))
        for _since, connection in held:
            connection.close()
