"""A mail server on loopback that takes every message and keeps it: what the task worker sends to
during `manage.py soak`, so that e-mails can be counted. Only the SMTP a Django backend speaks
without TLS or a login (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT).

    with SMTPSink() as sink:            # EMAIL_URL=smtp://127.0.0.1:<sink.port>
        ...
        sink.messages                   # each message's raw bytes, in arrival order
"""

from __future__ import annotations

import socketserver
import threading
from email import message_from_bytes
from email.message import Message


class SMTPSink:
    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.messages: list[bytes] = []
        self._lock = threading.Lock()
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            timeout = 30  # a client that goes quiet lets go of its thread

            def handle(self):
                self.reply("220 soak-smtp ready")
                while line := self.rfile.readline():
                    verb = line.split(maxsplit=1)[0].upper() if line.strip() else b""
                    if verb == b"EHLO":
                        self.reply("250-soak-smtp", "250 8BITMIME")
                    elif verb in (b"HELO", b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                        self.reply("250 OK")
                    elif verb == b"DATA":
                        self.reply("354 End data with <CR><LF>.<CR><LF>")
                        sink._keep(self._data())
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

        self._server = socketserver.ThreadingTCPServer((host, port), Handler)
        self._server.daemon_threads = True
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

    def parsed(self) -> list[Message]:
        with self._lock:
            return [message_from_bytes(raw) for raw in self.messages]

    def _keep(self, raw: bytes) -> None:
        with self._lock:
            self.messages.append(raw)

    def __enter__(self) -> SMTPSink:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
