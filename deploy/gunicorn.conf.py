"""Gunicorn's settings for the shop in production: `gunicorn -c deploy/gunicorn.conf.py shop.wsgi`.

Every value has an environment override (GUNICORN_BIND, GUNICORN_WORKERS, GUNICORN_THREADS,
GUNICORN_TIMEOUT, GUNICORN_ACCESS_LOG, GUNICORN_CONTROL_SOCKET); the defaults suit one app server
with its own cores.
"""

import os


def available_cpus() -> int:
    """The cores this process may run on (a container's or taskset's share, not the host's)."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "on", "yes"}


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Threads, not one request per process: a checkout request spends most of its time waiting on
# Stripe and on the stock row's lock, and on a sync worker every page request queued behind it
# waits too (the drop's p99 at one order a second: README "Performance"). Pages are CPU-bound
# Python, which threads of one process share under the GIL, so the processes, one per core and
# one more, still do the computing; four threads each cover the waits without holding many more
# database connections (one per thread, kept CONN_MAX_AGE seconds). Measured with
# `bench --drop --rates 1`, sync against `--threads 4` in alternate runs, on a 2-core machine
# shared with other work (load average 6-15): the two could not be told apart there (p99 0.8-3.7 s
# for both), nor with Stripe answering at once. With Stripe's latency they can
# (`bench --drop --stripe-latency 300`, README "Performance"): at ten orders a second two sync
# workers stalled on Stripe (pages at 2% of quiet, half the orders done), and three of four
# threads each completed every order.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
workers = int(os.environ.get("GUNICORN_WORKERS", str(available_cpus() + 1)))

# A request is cut off after this long: more than placing an order's two Stripe calls (the card
# hold and the capture) take at their worst, STRIPE_TIMEOUT_SECONDS (12 s) each.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On SIGTERM (a deploy, a scale-down) requests in flight get this long to finish, so a checkout
# that is placing its order is not cut between the card hold and the order row.
graceful_timeout = 25
keepalive = 5  # behind haproxy, which reuses connections

# Workers are replaced now and then so that slow growth (caches of compiled templates, Python's
# heap) never builds up; the jitter keeps them from all restarting at the same moment.
max_requests = 5000
max_requests_jitter = 500

# Access lines are the proxy's job; switch them on here when there is no proxy to keep them.
accesslog = "-" if _flag("GUNICORN_ACCESS_LOG", False) else None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# gunicornc's control socket only where one is asked for, at its own path: the default path is one
# per user account, so a second server on the host (cluster-check runs two) failed to listen there,
# logging an error, and gunicornc would have talked to whichever server started first.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True

# The proxy in front sets X-Forwarded-Proto (settings.SECURE_PROXY_SSL_HEADER trusts it).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
