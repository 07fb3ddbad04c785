"""`make cluster-check`: the production shape on 127.0.0.1 (PostgreSQL primary and streaming
replica, Redis, an S3 server, two app servers behind haproxy, a task worker, a mail server and
Stripe stand-ins), the three journeys through the balancer, then faults injected under load, each
judged in one table row. Run with `python -m shop.devtools.cluster`; deploy/ holds the configs it
runs (gunicorn.conf.py, haproxy.cfg)."""
