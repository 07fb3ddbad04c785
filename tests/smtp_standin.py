"""A mail server on 127.0.0.1 that accepts every connection and never says a word.

SMTP starts with the server's greeting: a client without a timeout waits for it forever. The
stand-in lets go of each connection after `hold_for` seconds so that a failing test still ends.
"""

import contextlib
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


class RecordingSMTPServer:
    """A mail server on 127.0.0.1 that speaks enough SMTP for Django's backend and keeps every
    message it accepts (answered "250" after the message's data).

    With `hold="data"` the first `hold_times` conversations stop after the message's data has
    arrived, before the "250" that accepts it: the message is then never accepted (a server drops
    what it did not acknowledge). With `hold="quit"` they accept the message and then never answer
    the goodbye. Either way `holding` is set at the hold, so a test can kill the sender there.
    """

    def __init__(self, *, hold: str | None = None, hold_times: int = 1):
        assert hold in (None, "data", "quit")
        self.hold = hold
        self.hold_times = hold_times
        self.accepted: list[bytes] = []
        self.holding = threading.Event()
        self._held = 0
        self._lock = threading.Lock()
        self._clients: list[socket.socket] = []
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
        for client in self._clients:
            with contextlib.suppress(OSError):  # the sender has gone already
                client.shutdown(socket.SHUT_RDWR)
            client.close()

    def _serve(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _address = self._listener.accept()
            except TimeoutError:
                continue
            self._clients.append(client)
            with self._lock:
                held = self.hold if self.hold and self._held < self.hold_times else None
                self._held += bool(held)
            threading.Thread(target=self._converse, args=(client, held), daemon=True).start()

    def _converse(self, client: socket.socket, held: str | None) -> None:
        lines = client.makefile("rb")
        try:
            client.sendall(b"220 127.0.0.1 stand-in ready\r\n")
            for line in lines:
                verb = line[:4].upper()
                if verb in (b"EHLO", b"HELO"):
                    client.sendall(b"250 127.0.0.1\r\n")
                elif verb == b"DATA":
                    client.sendall(b"354 go ahead\r\n")
                    data = b"".join(iter(lines.readline, b".\r\n"))
                    if held == "data":
                        self.holding.set()
                        lines.read()  # until the sender goes away, never accepting
                        return
                    self.accepted.append(data)
                    client.sendall(b"250 accepted\r\n")
                elif verb == b"QUIT":
                    if held == "quit":
                        self.holding.set()
                        lines.read()
                        return
                    client.sendall(b"221 bye\r\n")
                    return
                else:  # MAIL, RCPT, RSET, NOOP
                    client.sendall(b"250 ok\r\n")
        except OSError:
            pass  # the sender was killed, or the stand-in stopped
        finally:
            client.close()
