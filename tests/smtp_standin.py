"""A mail server on 127.0.0.1 that accepts every connection and never says a word.

SMTP starts with the server's greeting: a client without a timeout waits for it forever. The
stand-in lets go of each connection after `hold_for` seconds so that a failing test still ends.
"""

import socket
import threading

from tests.loopback import LoopbackServer


class SilentSMTPServer(LoopbackServer):
    def __init__(self, *, hold_for: float = 15.0):
        super().__init__(hold_for=hold_for)
        self.connections = 0

    def on_connection(self, connection: socket.socket) -> None:
        self.connections += 1
        self.keep_silent(connection)


class RecordingSMTPServer(LoopbackServer):
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
        super().__init__()

    def on_connection(self, client: socket.socket) -> None:
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
