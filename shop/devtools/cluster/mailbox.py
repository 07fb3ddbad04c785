"""A mail server on 127.0.0.1 that keeps what it is sent: enough SMTP for Django's backend.

`holding` makes it take a message's DATA and then say nothing, as a mail server that stalls before
its "250 OK": the sender is stuck mid-send (the moment cluster-check kills the task worker). A
message counts as delivered only once the server said 250 to it.
"""

from __future__ import annotations

import socketserver
import threading
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import default


@dataclass(frozen=True)
class Mail:
    message_id: str
    to: str
    subject: str


class _Session(socketserver.StreamRequestHandler):
    timeout = 60

    def handle(self) -> None:
        box: Mailbox = self.server.mailbox
        self._say("220 cluster-check mail stand-in")
        while line := self.rfile.readline():
            verb = line.split(b" ", 1)[0].strip().upper()
            if verb == b"EHLO":
                self._say("250-cluster-check", "250 8BITMIME")
            elif verb == b"DATA":
                self._say("354 go ahead")
                mail = _parsed(self._data())
                if box.holding.is_set():
                    box.held.append(mail)
                    while self.rfile.readline():  # silent until the sender goes away
                        pass
                    return
                with box.lock:
                    box.delivered.append(mail)
                self._say("250 OK")
            elif verb == b"QUIT":
                self._say("221 bye")
                return
            else:  # HELO, MAIL, RCPT, RSET, NOOP
                self._say("250 OK")

    def _data(self) -> bytes:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)
        return b"".join(lines)

    def _say(self, *lines: str) -> None:
        self.wfile.write("".join(f"{line}\r\n" for line in lines).encode())


def _parsed(data: bytes) -> Mail:
    headers = BytesParser(policy=default).parsebytes(data, headersonly=True)
    return Mail(
        str(headers.get("Message-ID", "")), str(headers.get("To", "")), str(headers["Subject"])
    )


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class Mailbox:
    def __init__(self, port: int):
        self.delivered: list[Mail] = []
        self.held: list[Mail] = []
        self.holding = threading.Event()
        self.lock = threading.Lock()
        self._server = _Server(("127.0.0.1", port), _Session)
        self._server.mailbox = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Mailbox:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.shutdown()
        self._server.server_close()

    def delivered_to(self, address: str) -> list[Mail]:
        with self.lock:
            return [mail for mail in self.delivered if address in mail.to]

    def copies(self, message_id: str) -> int:
        with self.lock:
            return sum(mail.message_id == message_id for mail in self.delivered)
