"""The journeys and the faults cluster-check runs, each ending in one table row."""

from __future__ import annotations

import http.client
import io
import re
import secrets
import socket
import threading
import time
from collections import Counter
from contextlib import contextmanager, suppress

import redis
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db import connections
from django.urls import reverse
from oscar.core.loading import get_model
from PIL import Image

from catalogue import images
from shop.devtools.bench import drop, scenarios
from shop.devtools.bench.load import HttpShopper
from shop.devtools.smtp_sink import SMTPSink

from . import report
from .browser import form_with, path_of, post_multipart, timed_get
from .report import LogMark, Row
from .services import BUCKET, HOST, Cluster
from .traffic import Traffic

Order = get_model("order", "Order")
ProductImage = get_model("catalogue", "ProductImage")

BRANDED_503 = b"Back in a moment"
STORAGE_DOWN = b"the media storage is not answering"
OUT_OF_ROTATION_WITHIN = 5.0  # seconds from a kill to haproxy sending the instance nothing
FAST = 1.0  # seconds: a page while Redis is silent, a 503 while PostgreSQL is down
REDIS_OUTAGE = 20.0
# Seconds for a killed worker's e-mail job to run again: its worker is lost after 8 s (services.py).
MAIL_RERUN_WAIT = 45.0


def fresh_db() -> None:
    """The harness's own connections, after a restart of PostgreSQL dropped them."""
    for conn in connections.all():
        conn.close()


class Shop:
    """What the checks share: the cluster, the mail server, the accounts made for the run."""

    def __init__(self, cluster: Cluster, mailbox: SMTPSink, placer: drop.OrderPlacer):
        self.cluster = cluster
        self.mailbox = mailbox
        self.placer = placer
        self.lb = cluster.ports.balancer
        self.password = secrets.token_urlsafe(16)
        User = get_user_model()
        self.staff = User.objects.create_superuser(
            "cluster-staff", "cluster-staff@example.com", self.password
        )
        self.customer = User.objects.create_user(
            "cluster-fan", "cluster-fan@example.com", self.password
        )
        self.product = scenarios.featured_product()
        self.article = scenarios.bench_post()
        self.buyable = drop.buyable(self.product)

    def app_logs(self) -> list:
        return [self.cluster.log(name) for name in ("app1", "app2", "worker")]

    def mark(self) -> LogMark:
        return LogMark(self.app_logs())

    def browsing_urls(self) -> list[str]:
        return [url for kind, url in scenarios.page_urls().items() if kind in BROWSED]

    def sign_in(self, port: int, *, staff: bool) -> tuple[HttpShopper, int]:
        """A browser signed in through `port`; the POST's status (302 when accepted)."""
        browser = HttpShopper(port)
        url = reverse("dashboard:login" if staff else "customer:login")
        browser.request("GET", url)
        form = form_with(browser.body, "password" if staff else "login-password")
        user = self.staff if staff else self.customer
        prefix = "" if staff else "login-"
        data = dict(
            form.data(**{f"{prefix}username": user.email, f"{prefix}password": self.password})
        )
        return browser, browser.request("POST", url, data)

    def signed_in_as_customer(self, browser: HttpShopper) -> bool:
        """The account's profile page shows the customer's e-mail (a stranger is sent to log in)."""
        status = browser.request("GET", reverse("customer:profile-view"))
        return status == 200 and self.customer.email.encode() in browser.body

    def stored(self, url: str) -> bool:
        """The object a public media URL names is in the bucket."""
        from botocore.exceptions import ClientError

        key = url.split(f"/{BUCKET}/", 1)[1]
        try:
            self.cluster.s3_client().head_object(Bucket=BUCKET, Key=key)
        except ClientError:
            return False
        return True

    def flush_page_cache(self) -> None:
        redis.Redis(host=HOST, port=self.cluster.ports.redis).flushdb()

    def redis_keys(self) -> int:
        return redis.Redis(host=HOST, port=self.cluster.ports.redis, socket_timeout=2).dbsize()


BROWSED = {"home", "catalogue", "category", "franchise", "search", "product", "article"}


# --- The journeys, through the balancer ---------------------------------------------------------


def shopper_journey(shop: Shop) -> Row:
    steps = []
    for url in [reverse("home"), reverse("catalogue:index"), f"{reverse('search:search')}?q=pin"]:
        status, _s, body = timed_get(shop.lb, url)
        steps.append(status == 200)
    found = shop.product.get_title().encode() in body
    email = "cluster-shopper@example.com"
    try:
        outcome = shop.placer.place(shop.buyable, email=email)
    except (drop.OrderFailed, OSError) as failed:
        outcome = f"failed: {failed}"
    fresh_db()
    orders = Order.objects.filter(guest_email=email)
    mailed = _wait(lambda: shop.mailbox.delivered_to(email), 30)
    passed = all(steps) and found and outcome == drop.PLACED and orders.count() == 1 and mailed
    observed = (
        f"pages {sum(steps)}/3 200, search {'lists' if found else 'misses'} the pin, "
        f"order {outcome}, {orders.count()} order row, confirmation e-mail "
        f"{'received' if mailed else 'not received in 30 s'}"
    )
    return Row(
        "shopper journey",
        "browse, search, basket, card via the simulator, order + e-mail",
        observed,
        passed,
    )


def redirect_of(port: int, url: str) -> tuple[int | str, str]:
    """One anonymous GET not followed: its status and where it redirects ("" if nowhere)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request("GET", url)
        response = conn.getresponse()
        response.read()
        return response.status, response.getheader("Location") or ""
    except OSError as error:
        return type(error).__name__, ""
    finally:
        conn.close()


def reader_journey(shop: Shop) -> Row:
    status, _s, body = timed_get(shop.lb, shop.article.get_absolute_url())
    # A card links through the article (/blog/<slug>/to/<id>/, which counts the click), and
    # that answers with a redirect to the product's page.
    cards = re.findall(
        rb'class="product-card article-card.*?href="(/blog/[^"]+/to/\d+/)"', body, re.S
    )
    product_status, featured = None, False
    if cards:
        through, product_url = redirect_of(shop.lb, cards[0].decode())
        if through == 302 and product_url:
            product_status, _s, page = timed_get(shop.lb, path_of(product_url))
            featured = shop.article.title.encode() in page
    passed = status == 200 and bool(cards) and product_status == 200 and featured
    return Row(
        "reader journey",
        "article 200 with product cards; card's product page lists the article",
        f"article {status}, {len(cards)} cards, product page {product_status}, "
        f"article {'listed' if featured else 'not listed'} there",
        passed,
    )


def picture() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (236, 72, 153)).save(buffer, "PNG")
    return buffer.getvalue()


def upload_image(shop: Shop, port: int) -> tuple[int, HttpShopper]:
    """Staff sign in through `port` and add a picture to the featured pin in the dashboard."""
    browser, signed_in = shop.sign_in(port, staff=True)
    url = reverse("dashboard:catalogue-product", kwargs={"pk": shop.product.pk})
    browser.request("GET", url)
    form = form_with(browser.body, "images-0-original")
    # The first image form with no picture yet: the others hold the product's own.
    fields = dict(form.fields)
    empty = next(
        name
        for name in form.files
        if name.startswith("images-") and not fields.get(name.replace("original", "id"))
    )
    status = post_multipart(
        browser, url, form.data(), {empty: ("cluster.png", picture(), "image/png")}
    )
    return (status if signed_in == 302 else signed_in), browser


def staff_journey(shop: Shop) -> Row:
    app1, app2 = shop.cluster.ports.apps
    before = set(ProductImage.objects.filter(product=shop.product).values_list("pk", flat=True))
    status, browser = upload_image(shop, app1)
    fresh_db()
    added = ProductImage.objects.filter(product=shop.product).exclude(pk__in=before).first()
    shown_2 = shown_lb = served = False
    if added:
        thumbnails = thumbnail_urls(added.original.name)
        product_url = shop.product.get_absolute_url()
        _st, _s, page2 = timed_get(app2, product_url)
        _st, _s, page_lb = timed_get(shop.lb, product_url)
        links = [url for url in thumbnails if url.encode() in page2]
        shown_2 = bool(links)
        shown_lb = any(url.encode() in page_lb for url in thumbnails)
        # The worker makes the thumbnails the page links: in the bucket soon after.
        served = bool(links) and _wait(lambda: all(shop.stored(url) for url in links), 60)
    passed = status == 302 and added is not None and shown_2 and shown_lb and served
    return Row(
        "staff journey",
        "sign in + upload through instance 1; picture on instance 2 and the balancer",
        f"upload {status} {browser.location}, image row {'made' if added else 'missing'}, linked on instance 2: "
        f"{'yes' if shown_2 else 'no'}, through the balancer: {'yes' if shown_lb else 'no'}, "
        f"its thumbnails in the bucket: {'yes' if served else 'no'}",
        passed,
    )


def thumbnail_urls(name: str) -> set[str]:
    """Every thumbnail a product page may link for the picture stored as `name`."""
    sizes = [images.SIZES[size] for size in images.PRODUCT_SIZES]
    return {
        default_storage.url(images.thumbnail_name(name, size, width, fmt))
        for size in sizes
        for fmt in size.formats
        for width in size.widths
    }


# --- The faults, under load ---------------------------------------------------------------------


def _accepts(port: int) -> bool:
    try:
        socket.create_connection((HOST, port), timeout=0.2).close()
    except OSError:
        return False
    return True


def app_killed(shop: Shop, traffic: Traffic) -> Row:
    cluster = shop.cluster
    time.sleep(3)  # some load on both instances first
    killed_at = time.monotonic()
    cluster.kill("app1", group=True)
    # Gone once its port refuses connections: until then (its master is reaped first, its
    # workers a moment later) the kernel may still queue a request for it, in flight on it
    # though no process will read it.
    _wait(lambda: not _accepts(cluster.ports.apps[0]), 5, every=0.01)
    gone_at = time.monotonic()
    out = _wait(
        lambda: all(
            cluster.balancer_states().get(name, "").startswith("DOWN")
            for name in ("app_servers/app1", "app_servers/app1-live")
        ),
        30,
    )
    out_after = time.monotonic() - killed_at
    time.sleep(4)  # the load goes on against the one instance left
    in_flight, after = traffic.failed_around(gone_at)
    served_after = len(traffic.hits(killed_at))
    cluster.start_app(1)
    back = _wait(lambda: cluster.balancer_states().get("app_servers/app1") == "UP", 30)
    passed = out and out_after <= OUT_OF_ROTATION_WITHIN and not after and back
    observed = (
        f"out of rotation after {report.seconds(out_after)}; {len(in_flight)} failed in flight "
        f"(sent before the instance was gone, {report.seconds(gone_at - killed_at)} after "
        "SIGKILL), "
        f"{len(after)} failed of {served_after} started after the kill"
        + (f" ({_outcomes(after)})" if after else "")
        + f"; restarted, back in rotation: {'yes' if back else 'no'}"
    )
    return Row(
        "app instance SIGKILL",
        f"out of rotation ≤ {OUT_OF_ROTATION_WITHIN:g} s; only in-flight requests fail",
        observed,
        passed,
    )


def redis_stopped(shop: Shop, traffic: Traffic) -> Row:
    cluster = shop.cluster
    mark = shop.mark()
    started = time.monotonic()
    cluster.stop("redis")
    statuses: Counter[str] = Counter()
    signed_in = ordered = None
    while time.monotonic() - started < REDIS_OUTAGE:
        for url in shop.browsing_urls():
            statuses[str(timed_get(shop.lb, url)[0])] += 1
        if signed_in is None:
            browser, status = shop.sign_in(shop.lb, staff=False)
            signed_in = status == 302 and shop.signed_in_as_customer(browser)
        if ordered is None:
            try:
                ordered = shop.placer.place(shop.buyable, email="cluster-redis-down@example.com")
            except (drop.OrderFailed, OSError) as failed:
                ordered = f"failed: {failed}"
        time.sleep(0.5)
    background = [h for h in traffic.hits(started) if not h.ok]
    lines = mark.lines_since()
    cluster.start_redis()
    resumed = _caching_resumes(shop)
    # The breaker's lines: one when Redis goes, one per REDIS_BYPASS_SECONDS (5) while it stays
    # out, one when it is back, in each process that uses the cache (not one per cache call).
    processes = 2 * 2 + 1  # the app servers' workers and the task worker
    bound = processes * (int(REDIS_OUTAGE / 5) + 2)
    breaker = [line for line in lines if "shop.redis_cache" in line]
    passed = (
        set(statuses) == {"200"}
        and signed_in
        and ordered == drop.PLACED
        and not background
        and report.tracebacks(lines) == 0
        and len(breaker) <= bound
        and resumed
    )
    observed = (
        f"pages {_counts(statuses)}; sign-in {'ok' if signed_in else 'failed'}; checkout "
        f"{ordered}; background failures {len(background)}; {len(lines)} log lines, of which "
        f"{len(breaker)} the cache's (≤ {bound}), {report.tracebacks(lines)} tracebacks; "
        "caching resumed: "
        f"{'yes' if resumed else 'no'}"
    )
    return Row(
        f"Redis stopped {REDIS_OUTAGE:g} s",
        "pages 200, sign-in + checkout work, few log lines, caching resumes",
        observed,
        passed,
    )


def _caching_resumes(shop: Shop) -> bool:
    """After the breaker's interval, pages fill the restarted (empty) Redis again."""

    def filled() -> bool:
        for url in shop.browsing_urls():
            timed_get(shop.lb, url)
        return shop.redis_keys() > 0

    return _wait(filled, 30)


@contextmanager
def silent_listener(port: int):
    """Something on Redis's port that accepts every connection and never replies."""
    listener = socket.create_server((HOST, port))
    listener.settimeout(0.2)
    held, stop = [], threading.Event()

    def hold():
        while not stop.is_set():
            with suppress(TimeoutError):
                held.append(listener.accept()[0])

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    try:
        yield held
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        listener.close()


def redis_silent(shop: Shop, traffic: Traffic) -> Row:
    cluster = shop.cluster
    # For comparison: the same pages rendered (not cached) while Redis answers.
    baseline = []
    for url in shop.browsing_urls():
        shop.flush_page_cache()
        baseline.append(timed_get(shop.lb, url)[1])
    cluster.stop("redis")
    timings = []
    with silent_listener(cluster.ports.redis) as held:
        started = time.monotonic()
        while time.monotonic() - started < 12:  # over two of the breaker's intervals
            for url in shop.browsing_urls():  # nothing can be cached: each one is rendered
                status, took, _body = timed_get(shop.lb, url)
                timings.append((str(status), took, url))
        waited = len(held)
    cluster.start_redis()
    resumed = _caching_resumes(shop)
    slowest, slowest_url = max((took, url) for _status, took, url in timings)
    tooks = sorted(took for _status, took, _url in timings)
    p95 = tooks[int(len(tooks) * 0.95)]
    statuses = Counter(status for status, _took, _url in timings)
    passed = set(statuses) == {"200"} and slowest < FAST and waited > 0 and resumed
    return Row(
        "Redis silent (accepts, never replies)",
        f"every page 200 within {FAST:g} s",
        f"pages {_counts(statuses)}, p95 {report.seconds(p95)}, slowest "
        f"{report.seconds(slowest)} ({slowest_url}; slowest render with Redis answering: "
        f"{report.seconds(max(baseline))}), {waited} connections "
        f"held by the listener; caching resumed after: {'yes' if resumed else 'no'}",
        passed,
    )


def primary_restarted(shop: Shop, traffic: Traffic) -> Row:
    cluster = shop.cluster
    mark = shop.mark()
    cluster.pg_stop("primary")
    answers = []
    started = time.monotonic()
    while time.monotonic() - started < 6:
        # A search of its own: no cached page can answer it, the database must.
        status, took, body = timed_get(shop.lb, f"/search/?q=down{secrets.token_hex(3)}")
        answers.append((str(status), took, BRANDED_503 in body))
        time.sleep(0.3)
    cluster.pg_start("primary")
    first, _took, _body = timed_get(shop.lb, f"/search/?q=back{secrets.token_hex(3)}")
    lines = mark.lines_since()
    worker_alive = cluster.processes["worker"].poll() is None
    fresh_db()
    branded = all(status == "503" and brand for status, _t, brand in answers)
    slowest = max(took for _s, took, _b in answers)
    passed = (
        branded
        and slowest < FAST
        and str(first) == "200"
        and report.tracebacks(lines) == 0
        and worker_alive
    )
    return Row(
        "PostgreSQL primary restarted",
        f"branded 503 within {FAST:g} s while down, no traceback; first request after: 200",
        f"{len(answers)} answers while down: {_counts(Counter(a[0] for a in answers))}, "
        f"branded: {'all' if branded else 'not all'}, slowest {report.seconds(slowest)}; first "
        f"after: {first}; {report.tracebacks(lines)} tracebacks; task worker "
        f"{'running' if worker_alive else 'exited'}",
        passed,
    )


def replica_stopped(shop: Shop, traffic: Traffic) -> Row:
    cluster = shop.cluster
    mark = shop.mark()
    started = time.monotonic()
    cluster.pg_stop("replica")
    shop.flush_page_cache()  # renders, not cached pages
    statuses = Counter(str(timed_get(shop.lb, url)[0]) for url in shop.browsing_urls() * 2)
    time.sleep(2)
    background = [h for h in traffic.hits(started) if not h.ok]
    errors = report.errors(mark.lines_since())
    cluster.pg_start("replica")
    passed = set(statuses) == {"200"} and not errors and not background
    return Row(
        "PostgreSQL replica stopped",
        "catalogue and blog pages 200 from the primary, no error logged",
        f"pages {_counts(statuses)}; background failures {len(background)}"
        + (f" ({_outcomes(background)})" if background else "")
        + f"; {len(errors)} error lines"
        + (f" (first: {errors[0][:150]})" if errors else ""),
        passed,
    )


def worker_killed(shop: Shop, traffic: Traffic) -> Row:
    cluster, mailbox = shop.cluster, shop.mailbox
    mailbox.holding.set()
    browser = HttpShopper(shop.lb)
    browser.request("GET", reverse("password-reset"))
    browser.request("POST", reverse("password-reset"), {"email": shop.customer.email})
    caught = _wait(lambda: mailbox.held, 30)
    cluster.kill("worker", group=True)
    mailbox.holding.clear()
    if not caught:
        cluster.start_worker()
        return Row(
            "task worker SIGKILL mid e-mail",
            "the job runs again; the e-mail is sent once",
            "no e-mail job was caught mid-send within 30 s",
            False,
        )
    message = mailbox.held[0]
    message_id, subject, to = (str(message[h]) for h in ("Message-ID", "Subject", "To"))
    cluster.start_worker()
    started = time.monotonic()
    sent = _wait(lambda: mailbox.copies(message_id) > 0, MAIL_RERUN_WAIT)
    took = time.monotonic() - started
    time.sleep(2)  # a second copy would come right after the first
    copies = mailbox.copies(message_id)
    return Row(
        "task worker SIGKILL mid e-mail",
        "the job runs again; the e-mail is sent once",
        (
            f"{subject!r} to {to}: sent {copies}x, {report.seconds(took)} after the restart"
            if sent
            else f"{subject!r} to {to}: not sent again within {MAIL_RERUN_WAIT:g} s of the restart"
        ),
        copies == 1,
    )


def storage_stopped(shop: Shop, traffic: Traffic) -> Row:
    cluster = shop.cluster
    cluster.stop("s3")
    shop.flush_page_cache()
    status, took, page = timed_get(shop.lb, shop.product.get_absolute_url())
    pictures = len(re.findall(rf"http://{HOST}:{cluster.ports.s3}/{BUCKET}/".encode(), page))
    upload, browser = upload_image(shop, shop.lb)
    told = STORAGE_DOWN in browser.body
    passed = status == 200 and pictures > 0 and upload == 200 and told
    return Row(
        "S3 server stopped",
        "product page renders with its picture links; upload refused with a clear message",
        f"product page {status} in {report.seconds(took)} with {pictures} picture links; upload "
        f"answered {upload}, {'says' if told else 'does not say'} "
        f"“{STORAGE_DOWN.decode()}”",
        passed,
    )


def orders_reconcile(shop: Shop, traffic: Traffic, *, before: dict, since) -> Row:
    fresh_db()
    placed = set(traffic.placed())
    emails = Counter(
        Order.objects.filter(
            date_placed__gte=since, guest_email__startswith="cluster-"
        ).values_list("guest_email", flat=True)
    )
    lost = placed - set(emails)
    doubled = [email for email, n in emails.items() if n > 1]
    stock = drop.check_stock(before=before, since=since)
    outcomes = Counter(
        h.outcome if not h.outcome.startswith("failed") else "failed" for h in traffic.orders
    )
    delivered = Counter(str(mail["Message-ID"]) for mail in shop.mailbox.messages)
    twice = [mid for mid, n in delivered.items() if n > 1]
    passed = bool(placed) and not lost and not doubled and not stock and not twice
    return Row(
        "orders, stock and e-mail over the run",
        "every answered order stored once; stock = order lines; each e-mail sent once",
        f"orders tried {sum(outcomes.values())} ({_counts(outcomes)}), {sum(emails.values())} "
        f"stored; lost {len(lost)}, duplicated {len(doubled)}; stock problems {len(stock)}"
        + (f" ({stock[0]})" if stock else "")
        + f"; e-mails {len(shop.mailbox.messages)}, sent twice {len(twice)}",
        passed,
    )


def _wait(condition, timeout: float, every: float = 0.5):
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = condition()
        except OSError:
            value = None
        if value or time.monotonic() > deadline:
            return value
        time.sleep(every)


def _counts(counter: Counter) -> str:
    return ", ".join(f"{n} {what}" for what, n in counter.most_common()) or "none"


def _outcomes(hits) -> str:
    return _counts(Counter(h.outcome[:40] for h in hits))
