"""The load benchmark: the shop under gunicorn on 127.0.0.1 with production settings, a bounded load
on each page kind (wrk from Debian, or a small asyncio generator), requests/s and latency percentiles
next to the floor view's, measured in the same run. The server is stopped whatever happens.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import math
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path
from time import perf_counter
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection
from django.urls import reverse
from oscar.core.loading import get_model

from . import report, scenarios
from .common import BenchError, collected_static_is_stale, size_label, synthetic_count

Product = get_model("catalogue", "Product")

HOST = "127.0.0.1"
REQUEST_TIMEOUT = 30.0  # seconds; a slower answer counts as an error
WARMUP_CONNECTIONS = 4


# --- The server --------------------------------------------------------------------------------


BENCH_REDIS_URL = "redis://127.0.0.1:6379/15"


def production_env(secret_key: str) -> dict[str, str]:
    """Production settings over plain HTTP on loopback, routed through the benchmark's URLconf (the
    floor view on); the same DATABASE_URL and REDIS_URL as this process (inherited from the
    environment). DEBUG off needs a shared cache: without a REDIS_URL, the benchmark's own Redis
    database (`BENCH_REDIS_URL`, which the benchmark may flush)."""
    return {
        **os.environ,
        "REDIS_URL": os.environ.get("REDIS_URL") or BENCH_REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "shop.devtools.bench.settings",
        "DEBUG": "0",
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "SECURE_HSTS_PRELOAD": "0",
        "LOG_LEVEL": "WARNING",
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def server_words(workers: int, threads: int = 1) -> str:
    processes = "worker" if workers == 1 else "workers"
    if threads > 1:
        return f"{workers} {processes} of {threads} threads"
    return f"{workers} sync {processes}"


def gunicorn_command(port: int, *, workers: int, threads: int = 1) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "shop.wsgi:application",
        f"--bind={HOST}:{port}",
        f"--workers={workers}",
        f"--worker-class={'gthread' if threads > 1 else 'sync'}",
        f"--threads={threads}",
        "--timeout=60",
        "--graceful-timeout=5",
        "--log-level=warning",
    ]


@contextmanager
def gunicorn(*, workers: int, env: dict[str, str], log_path: Path, threads: int = 1):
    """Serve the shop on a free loopback port; yield the port; stop the server on the way out.
    With `threads` above 1, gthread workers: a request waiting on Stripe or a row lock holds one
    thread, not a whole worker."""
    port = free_port()
    server = start(
        gunicorn_command(port, workers=workers, threads=threads), env=env, log_path=log_path
    )
    try:
        _wait_until_ready(server, port, log_path)
        yield port
    finally:
        _stop(server)


def start(command: list[str], *, env: dict[str, str], log_path: Path) -> subprocess.Popen:
    """Run `command` in the project folder, its output appended to `log_path`. In a session of its
    own: a Ctrl-C reaches this process, which then stops it (`_stop`) with all it started."""
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _wait_until_ready(server: subprocess.Popen, port: int, log_path: Path, timeout=60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"gunicorn exited with {server.returncode}:\n{_tail(log_path)}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", reverse("healthz"))
            status = conn.getresponse().status
            conn.close()
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise BenchError(f"gunicorn did not answer /healthz within {timeout:g} s:\n{_tail(log_path)}")


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()  # gunicorn's graceful stop: the master stops its workers
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)  # the server's own process group (its session)
            server.wait()


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@contextmanager
def _sigterm_stops_the_run():
    """A SIGTERM unwinds like Ctrl-C, so the `finally` blocks stop gunicorn."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def collect_static_if_stale(env: dict[str, str], *, stdout) -> None:
    """WhiteNoise's manifest, which the server needs with DEBUG off, made afresh when stale."""
    if collected_static_is_stale():
        stdout.write("Collecting static files for WhiteNoise's manifest (collectstatic)…")
        collected = subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
        )
        if collected.returncode:
            raise BenchError(f"collectstatic failed:\n{collected.stderr[-2000:]}")


# --- Shoppers over HTTP ------------------------------------------------------------------------


class HttpShopper:
    """A browser's cookie jar over plain HTTP: enough to play a shopper's steps against the server."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        # The last answer's body and redirect, for a shopper that reads what it was shown.
        self.body = b""
        self.location = ""

    def request(
        self, method: str, url: str, data: dict | None = None, *, port: int | None = None
    ) -> int:
        """`port`: another server of the same shop (one a proxy would route this request to)."""
        headers = {"Cookie": self.cookie_header()} if self.cookies else {}
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get(settings.CSRF_COOKIE_NAME, "")
        conn = http.client.HTTPConnection(HOST, port or self.port, timeout=REQUEST_TIMEOUT)
        try:
            conn.request(method, url, body=body, headers=headers)
            response = conn.getresponse()
            self.body = response.read()
            self.location = response.getheader("Location", "")
            for header in response.headers.get_all("Set-Cookie") or []:
                jar = SimpleCookie()
                jar.load(header)
                for name, morsel in jar.items():
                    if morsel.value and morsel["max-age"] != "0":
                        self.cookies[name] = morsel.value
                    else:
                        self.cookies.pop(name, None)
            return response.status
        finally:
            conn.close()

    def cookie_header(self) -> str:
        # Not the one-off "added to basket" messages: a real browser sends them once.
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items() if k != "messages")


def http_shopper(port: int, shopper: str) -> HttpShopper:
    browser = HttpShopper(port)
    if shopper == scenarios.ANONYMOUS:
        return browser
    browser.request("GET", scenarios.featured_product().get_absolute_url())  # the CSRF cookie
    for step in scenarios.shopper_steps(shopper):
        status = browser.request("POST", step.url, step.data)
        if status != 302:
            raise BenchError(f"The {shopper} shopper's POST {step.url} answered {status}.")
    browser.request("GET", reverse("basket:summary"))  # shows the messages, counts the badge
    return browser


# --- Load generators ---------------------------------------------------------------------------


WRK_MISSING = "wrk is not installed (apt-get install wrk)"


def load_tool(choice: str, *, stdout) -> str:
    """ "wrk" (Debian's, when installed) or "python" (built in). Installing wrk is left to you."""
    if choice == "python":
        return "python"
    if shutil.which("wrk"):
        return "wrk"
    if choice == "wrk":
        raise BenchError(f"{WRK_MISSING}; or use --tool python.")
    stdout.write(f"{WRK_MISSING}: the load comes from the built-in Python generator.")
    return "python"


def drive(
    tool: str,
    port: int,
    url: str,
    *,
    cookie: str,
    connections: int,
    duration: float,
    cookies: list[str] | None = None,
) -> dict:
    """Load one URL for `duration` seconds; requests, elapsed seconds, percentiles and errors.
    With `cookies`, connection n sends cookies[n] (distinct shoppers) instead of `cookie`."""
    if tool == "wrk":
        return _wrk(
            port, url, cookie=cookie, connections=connections, duration=duration, cookies=cookies
        )
    return asyncio.run(
        _python(
            port, url, cookie=cookie, connections=connections, duration=duration, cookies=cookies
        )
    )


def _request_bytes(port: int, url: str, cookie: str) -> bytes:
    lines = [f"GET {url} HTTP/1.1", f"Host: {HOST}:{port}", "User-Agent: shop-bench", "Accept: */*"]
    if cookie:
        lines.append(f"Cookie: {cookie}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def _python(
    port: int,
    url: str,
    *,
    cookie: str,
    connections: int,
    duration: float,
    cookies: list[str] | None = None,
) -> dict:
    loop = asyncio.get_running_loop()
    requests = [_request_bytes(port, url, c) for c in cookies or [cookie]]
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    started = loop.time()
    deadline = started + duration

    async def one_connection(request: bytes):
        reader = writer = None
        while loop.time() < deadline:
            sent = perf_counter()
            try:
                if writer is None:
                    reader, writer = await asyncio.wait_for(
                        asyncio.open_connection(HOST, port), REQUEST_TIMEOUT
                    )
                writer.write(request)
                status, keep_alive = await asyncio.wait_for(_read_response(reader), REQUEST_TIMEOUT)
            except (OSError, EOFError, asyncio.LimitOverrunError, ValueError) as exc:
                errors[type(exc).__name__] += 1
                writer = _close(writer)
                continue
            latencies.append(perf_counter() - sent)
            if status != 200:
                errors[f"HTTP {status}"] += 1
            if not keep_alive:
                writer = _close(writer)
        _close(writer)

    await asyncio.gather(*(one_connection(requests[n % len(requests)]) for n in range(connections)))
    elapsed = loop.time() - started
    ms = [s * 1000 for s in latencies]
    return {
        "requests": len(latencies),
        "elapsed_s": elapsed,
        "p50_ms": report.percentile(ms, 50),
        "p95_ms": report.percentile(ms, 95),
        "p99_ms": report.percentile(ms, 99),
        "error_kinds": dict(errors),
    }


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    version, status = head[0].split(" ", 2)[:2]
    headers = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip().lower()
    keep_alive = version == "HTTP/1.1" and headers.get("connection") != "close"
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            await reader.readexactly(size + 2)
        await reader.readuntil(b"\r\n")
    else:
        await reader.read()
        keep_alive = False
    return int(status), keep_alive


def _close(writer):
    if writer is not None:
        writer.close()
    return None


# wrk counts HTTP errors only from 400 up; this script counts every answer that is not a 200.
WRK_SCRIPT = """\
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) not_ok = 0 end
function response(status, headers, body) if status ~= 200 then not_ok = not_ok + 1 end end
function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("not_ok") end
  local e = summary.errors
  io.write(string.format('BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, ' ..
    '"p95_us": %d, "p99_us": %d, "connect": %d, "read": %d, "write": %d, "timeout": %d, ' ..
    '"not_200": %d}\\n', summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(95), latency:percentile(99), e.connect, e.read, e.write, e.timeout, bad))
end
"""


# wrk runs one Lua state per thread: with one thread per connection, each thread's cookie is one
# connection's. Appended to WRK_SCRIPT, it wraps that script's setup() and init().
WRK_DISTINCT_COOKIES = """\
local cookies = {%s}
local started, plain_setup, plain_init = 0, setup, init
function setup(thread)
  started = started + 1
  thread:set("cookie", cookies[(started - 1) %% #cookies + 1])
  plain_setup(thread)
end
function init(args)
  plain_init(args)
  wrk.headers["Cookie"] = cookie
end
"""


def _wrk(
    port: int,
    url: str,
    *,
    cookie: str,
    connections: int,
    duration: float,
    cookies: list[str] | None = None,
) -> dict:
    threads = connections if cookies else max(1, min(os.cpu_count() or 1, connections))
    seconds = max(1, math.ceil(duration))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
        if cookies:
            # JSON strings of ASCII text are Lua strings too.
            script.write(WRK_DISTINCT_COOKIES % ", ".join(json.dumps(c) for c in cookies))
    try:
        command = [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            f"--timeout={REQUEST_TIMEOUT:.0f}s",
            "-s",
            script.name,
        ]
        if cookie and not cookies:
            command += ["-H", f"Cookie: {cookie}"]
        command.append(f"http://{HOST}:{port}{url}")
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    finally:
        os.unlink(script.name)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("BENCH ")), None)
    if line is None:
        raise BenchError(f"wrk printed no summary: {done.stdout}{done.stderr}".strip())
    figures = json.loads(line.removeprefix("BENCH "))
    error_kinds = {
        kind: figures[key]
        for kind, key in [
            ("connect", "connect"),
            ("read", "read"),
            ("write", "write"),
            ("timeout", "timeout"),
            ("not 200", "not_200"),
        ]
        if figures[key]
    }
    return {
        "requests": figures["requests"],
        "elapsed_s": figures["duration_us"] / 1e6,
        "p50_ms": figures["p50_us"] / 1000,
        "p95_ms": figures["p95_us"] / 1000,
        "p99_ms": figures["p99_us"] / 1000,
        "error_kinds": error_kinds,
    }


# --- The run -----------------------------------------------------------------------------------


def run(
    *,
    kinds: list[str] | None,
    duration: float,
    warmup: float,
    connections: int,
    workers: int,
    tool: str,
    out: Path,
    stdout,
    threads: int = 1,
) -> dict:
    """Load every page kind in turn; write var/bench/load-<size>-<vendor>.txt/.json; return it."""
    machine = report.machine()  # before the run: its load average is the other work's
    tool = load_tool(tool, stdout=stdout)
    secret_key = secrets.token_urlsafe(50)
    env = production_env(secret_key)
    collect_static_if_stale(env, stdout=stdout)
    pages = scenarios.pages(kinds, with_basket={"product"})
    out.mkdir(parents=True, exist_ok=True)
    stdout.write(
        f"Starting gunicorn ({server_words(workers, threads)}) on {HOST}; load by {tool}, "
        f"{connections} connections, {duration:g} s per page…"
    )
    shoppers: dict[str, HttpShopper | Exception] = {}
    rows = []
    try:
        with (
            _sigterm_stops_the_run(),
            gunicorn(
                workers=workers, threads=threads, env=env, log_path=out / "gunicorn.log"
            ) as port,
        ):
            for shopper in dict.fromkeys(page.shopper for page in pages):
                try:
                    shoppers[shopper] = http_shopper(port, shopper)
                except (BenchError, OSError) as exc:
                    shoppers[shopper] = exc
            # The floor again at the end: other work on the machine drifts, and the shares are
            # taken against the faster of the two floors.
            floor = next(page for page in pages if page.kind == "floor")
            for n, page in enumerate([*pages, floor]):
                shopper = shoppers[page.shopper]
                rows.append(_load_page(tool, port, page, shopper, connections, duration, warmup))
                if n == len(pages):
                    rows[-1]["label"] = "floor (again, at the end)"
                stdout.write(f"  {rows[-1]['label']}: {rows[-1]['rps']:.1f} req/s")
    finally:
        # Once the server is down: requests still queued when the load stopped would otherwise
        # answer after the clean-up, into a fresh session.
        for shopper in shoppers.values():
            if isinstance(shopper, HttpShopper):
                scenarios.discard_shopper(shopper.cookies, secret_key=secret_key)
    add_floor_shares(rows)
    result = {
        "kind": "load",
        "size": size_label(synthetic_count()),
        "products": Product.objects.count(),
        "workers": workers,
        "threads": threads,
        "connections": connections,
        "duration": duration,
        "warmup": warmup,
        "tool": "wrk"
        if tool == "wrk"
        else "Python asyncio generator (shop/devtools/bench/load.py)",
        "machine": machine,
        "rows": rows,
    }
    name = f"load-{result['size']}-{connection.vendor}"
    result["files"] = [str(out / f"{name}.txt"), str(out / f"{name}.json")]
    report.write(out, name, result, report.load_text(result))
    return result


def _load_page(tool, port, page, shopper, connections, duration, warmup) -> dict:
    target, _, _ = report.load_target(page.kind, page.shopper)
    row = {
        "label": page.label,
        "kind": page.kind,
        "shopper": page.shopper,
        "url": page.url,
        "requests": 0,
        "elapsed_s": 0.0,
        "rps": 0.0,
        "p50_ms": None,
        "p95_ms": None,
        "p99_ms": None,
        "errors": 0,
        "error_kinds": {},
        "floor_share": None,
        "target": target,
        "target_met": None,
    }
    if isinstance(shopper, Exception):
        row["error_kinds"] = {f"set-up: {shopper}": 1}
        row["errors"] = 1
        return row
    cookie = shopper.cookie_header()
    if warmup > 0:
        drive(
            "python",
            port,
            page.url,
            cookie=cookie,
            connections=min(connections, WARMUP_CONNECTIONS),
            duration=warmup,
        )
    return measured(
        row,
        lambda: drive(
            tool, port, page.url, cookie=cookie, connections=connections, duration=duration
        ),
    )


def measured(row: dict, load_it) -> dict:
    """`row` with what `load_it()` (a `drive` call) measured, or with the error that stopped it."""
    try:
        sample = load_it()
    except (BenchError, OSError, subprocess.TimeoutExpired) as exc:
        row["error_kinds"] = {str(exc): 1}
        row["errors"] = 1
        return row
    row.update(sample)
    row["errors"] = sum(sample["error_kinds"].values())
    row["rps"] = sample["requests"] / sample["elapsed_s"] if sample["elapsed_s"] else 0.0
    return row


def add_floor_shares(rows: list[dict]) -> None:
    floor_rps = max((r["rps"] for r in rows if r["kind"] == "floor"), default=0.0)
    for row in rows:
        if floor_rps:
            row["floor_share"] = round(row["rps"] / floor_rps, 4)
        _, min_share, min_rps = report.load_target(row["kind"], row["shopper"])
        met = row["errors"] == 0 and row["requests"] > 0
        if min_share is not None:
            met = met and row["floor_share"] is not None and row["floor_share"] >= min_share
        if min_rps is not None:
            met = met and row["rps"] >= min_rps
        row["target_met"] = met
