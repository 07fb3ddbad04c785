"""The bounded background load while faults are injected: a few anonymous browsers through the
balancer and guest orders at a fixed low rate (the benchmark's OrderPlacer), every request and
order recorded with when it started and ended, so each fault is judged on its own window."""

from __future__ import annotations

import itertools
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from shop.devtools.bench.drop import PLACED, Buyable, OrderFailed, OrderPlacer

from .browser import timed_get

BROWSERS = 3
BROWSE_PAUSE = 0.3  # seconds between one browser's pages: a few pages a second in all
ORDER_EVERY = 2.0  # seconds between orders


@dataclass(frozen=True)
class Hit:
    what: str
    started: float
    ended: float
    outcome: str  # "200", "503", an error's name...

    @property
    def ok(self) -> bool:
        return self.outcome == "200" or self.outcome == PLACED or self.outcome == "sold out"


def order_email(number: int) -> str:
    return f"cluster-{number}@example.com"


class Traffic:
    def __init__(self, port: int, urls: list[str], placer: OrderPlacer, items: list[Buyable]):
        self.port = port
        self.urls = urls
        self.placer = placer
        self.items = items
        self.pages: list[Hit] = []
        self.orders: list[Hit] = []  # `what` is the guest's e-mail
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._numbers = itertools.count(1)
        self._threads = [
            threading.Thread(target=self._browse, args=(n,), daemon=True) for n in range(BROWSERS)
        ]
        self._threads.append(threading.Thread(target=self._pace_orders, daemon=True))
        self._pool = ThreadPoolExecutor(4, thread_name_prefix="cluster-order")

    def __enter__(self) -> Traffic:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _browse(self, offset: int) -> None:
        for url in itertools.islice(itertools.cycle(self.urls), offset, None):
            if self._stop.wait(BROWSE_PAUSE):
                return
            started = time.monotonic()
            status, _seconds, _body = timed_get(self.port, url)
            with self._lock:
                self.pages.append(Hit(url, started, time.monotonic(), str(status)))

    def _pace_orders(self) -> None:
        for n in itertools.count():
            if self._stop.wait(ORDER_EVERY):
                return
            self._pool.submit(self._order, self.items[n % len(self.items)])

    def _order(self, item: Buyable) -> None:
        email = order_email(next(self._numbers))
        started = time.monotonic()
        try:
            outcome = self.placer.place(item, email=email)
        except (OrderFailed, OSError) as failed:
            outcome = f"failed: {failed}"[:120]
        with self._lock:
            self.orders.append(Hit(email, started, time.monotonic(), outcome))

    def hits(self, since: float, until: float | None = None) -> list[Hit]:
        """Pages and orders started in [since, until)."""
        with self._lock:
            every = self.pages + self.orders
        return [h for h in every if h.started >= since and (until is None or h.started < until)]

    def failed_around(self, moment: float) -> tuple[list[Hit], list[Hit]]:
        """The failed requests that were in flight at `moment`, and those started after it."""
        with self._lock:
            every = self.pages + self.orders
        failed = [h for h in every if not h.ok and h.ended >= moment]
        return [h for h in failed if h.started < moment], [h for h in failed if h.started >= moment]

    def placed(self) -> list[str]:
        with self._lock:
            return [h.what for h in self.orders if h.outcome == PLACED]
