"""What cluster-check's shoppers and staff do over HTTP beyond the benchmark's HttpShopper: read a
page's forms as a browser would post them back, post one with a file, and time a request."""

from __future__ import annotations

import http.client
import secrets
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.conf import settings

from shop.devtools.bench.load import HOST, HttpShopper


@dataclass
class Form:
    action: str
    method: str
    enctype: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)  # named submit buttons

    def names(self) -> list[str]:
        return [name for name, _value in self.fields]

    def data(self, **changes: str) -> list[tuple[str, str]]:
        """The fields with `changes`, as sent by pressing the form's first named button (Oscar's
        login page tells its two forms apart by the button)."""
        kept = [(name, value) for name, value in self.fields if name not in changes]
        return kept + self.buttons[:1] + list(changes.items())


class _FormReader(HTMLParser):
    """Each <form>: what a browser posts back unchanged (ticked boxes, selected options, text)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: tuple[str, bool] | None = None  # name, multiple
        self._options: list[tuple[str, bool]] = []
        self._option: tuple[str | None, bool] | None = None
        self._option_text = ""
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = Form(
                a.get("action", ""),
                a.get("method", "get").lower(),
                a.get("enctype", "application/x-www-form-urlencoded"),
            )
            self.forms.append(self._form)
        if self._form is None or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind == "file":
                self._form.files.append(name)
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form.fields.append((name, a.get("value", "on")))
            elif kind == "submit":
                self._form.buttons.append((name, a.get("value", "")))
            elif kind not in ("button", "image", "reset"):
                self._form.fields.append((name, a.get("value", "")))
        elif tag == "button" and name and a.get("type", "submit").lower() == "submit":
            self._form.buttons.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select, self._options = (name, "multiple" in a), []
        elif tag == "option" and self._select:
            self._option, self._option_text = (a.get("value"), "selected" in a), ""
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data
        if self._option is not None:
            self._option_text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "option" and self._option is not None:
            value, selected = self._option
            self._options.append((self._option_text.strip() if value is None else value, selected))
            self._option = None
        elif tag == "select" and self._select and self._form is not None:
            name, multiple = self._select
            chosen = [value for value, selected in self._options if selected]
            if not chosen and not multiple and self._options:
                chosen = [self._options[0][0]]
            self._form.fields += [(name, value) for value in chosen]
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form.fields.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None


def forms(html: bytes) -> list[Form]:
    reader = _FormReader()
    reader.feed(html.decode(errors="replace"))
    return reader.forms


def form_with(html: bytes, field_name: str) -> Form:
    """The page's form with a field (or file input) of this name."""
    for form in forms(html):
        if field_name in form.names() or field_name in form.files:
            return form
    raise LookupError(f"no form on the page has a field {field_name!r}")


def post_multipart(
    browser: HttpShopper,
    url: str,
    fields: list[tuple[str, str]],
    files: dict[str, tuple[str, bytes, str]],
) -> int:
    """POST a form with files (name -> (filename, content, type)) in the browser's cookies."""
    boundary = f"----cluster-check-{secrets.token_hex(8)}"
    parts = []
    for name, value in fields:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode()
            + b"\r\n"
        )
    for name, (filename, content, kind) in files.items():
        parts.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {kind}\r\n\r\n'
            ).encode()
            + content
            + b"\r\n"
        )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    headers = {
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Cookie": browser.cookie_header(),
        "X-CSRFToken": browser.cookies.get(settings.CSRF_COOKIE_NAME, ""),
        "Referer": f"http://{HOST}:{browser.port}{url}",
    }
    conn = http.client.HTTPConnection(HOST, browser.port, timeout=30)
    try:
        conn.request("POST", url, body=body, headers=headers)
        response = conn.getresponse()
        browser.body = response.read()
        browser.location = response.getheader("Location", "")
        return response.status
    finally:
        conn.close()


def timed_get(port: int, url: str, *, timeout: float = 10.0) -> tuple[int | str, float, bytes]:
    """One anonymous GET: its status (or the error's name), seconds taken and body."""
    started = time.monotonic()
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", url)
        response = conn.getresponse()
        body = response.read()
        return response.status, time.monotonic() - started, body
    except OSError as error:
        return type(error).__name__, time.monotonic() - started, b""
    finally:
        conn.close()


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
