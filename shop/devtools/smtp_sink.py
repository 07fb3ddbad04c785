"""A mail server on loopback that keeps every message it accepts: what the task worker sends to
during `manage.py soak` and `make cluster-check`, so that e-mails can be counted. Only the SMTP a
Django backend speaks without TLS or a login (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT).

    with SMTPSink() as sink:            # EMAIL_URL=sink.url
        ...
        sink.messages                   # each accepted message, parsed, in arrival order

While `holding` is set the sink takes a message's data and then says nothing, as a mail server
that stalls before its "250": the sender is stuck mid-send (the moment cluster-check kills the
task worker), and the message lands in `held`. A message is in `messages` only once the sink
said 250 to it, as a real server drops what it never acknowledged.
"""

from __future__ import annotations

import contextlib
import socketserver
import threading
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True  # a fixed port still in TIME_WAIT from an earlier run


class SMTPSink:
    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.messages: list[EmailMessage] = []
        self.held: list[EmailMessage] = []
        self.holding = threading.Event()
        self._lock = threading.Lock()
        sink = self

        class Session(socketserver.StreamRequestHandler):
            timeout = 60  # a client that goes quiet lets go of its thread

            def handle(self):
                with contextlib.suppress(OSError):  # the sender was killed, or went quiet
                    self._converse()

            def _converse(self):
                self.reply("220 smtp-sink ready")
                while line := self.rfile.readline():
                    verb = line.split(maxsplit=1)[0].upper() if line.strip() else b""
                    if verb == b"EHLO":
                        self.reply("250-smtp-sink", "250 8BITMIME")
                    elif verb in (b"HELO", b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                        self.reply("250 OK")
                    elif verb == b"DATA":
                        self.reply("354 End data with <CR><LF>.<CR><LF>")
                        message = message_from_bytes(self._data(), policy=default)
                        if sink.holding.is_set():
                            with sink._lock:
                                sink.held.append(message)
                            while self.rfile.readline():  # silent until the sender goes away
                                pass
                            return
                        with sink._lock:
                            sink.messages.append(message)
                        self.reply("250 OK: kept")
                    elif verb == b"QUIT":
                        self.reply("221 Bye")
                        return
                    else:
                        self.reply("502 Not implemented")

            def _data(self) -> bytes:
                lines = []
                while (line := self.rfile.readline()) and line.rstrip(b"\r\n") != b".":
                    lines.append(line[1:] if line.startswith(b"..") else line)  # dot-stuffing
                return b"".join(lines)

            def reply(self, *lines: str) -> None:
                self.wfile.write("".join(f"{line}\r\n" for line in lines).encode())

        self._server = _Server((host, port), Session)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="smtp-sink", daemon=True
        )

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        """An EMAIL_URL for Django (django-environ) that sends here."""
        host, port = self._server.server_address[:2]
        return f"smtp://{host}:{port}"

    def delivered_to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [message for message in self.messages if address in str(message["To"])]

    def copies(self, message_id: str) -> int:
        with self._lock:
            return sum(str(message["Message-ID"]) == message_id for message in self.messages)

    def __enter__(self) -> SMTPSink:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
