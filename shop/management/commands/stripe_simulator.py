"""`manage.py stripe_simulator`: the offline Stripe on loopback, for the demo and browser tests."""

import threading
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand

from shop.devtools.stripe_simulator import (
    PUBLISHABLE_KEY,
    SECRET_KEY,
    WEBHOOK_SECRET,
    Simulator,
    serve,
)
from shop.payments.webhooks import ENABLED_EVENTS

DEFAULT_WEBHOOK_URL = "http://127.0.0.1:8000/payments/stripe/webhook/"


class Command(BaseCommand):
    help = "Serve the Stripe simulator (API, 3-D Secure page, signed webhooks) until Ctrl-C."

    def add_arguments(self, parser):
        # Defaults follow STRIPE_SIMULATOR_URL, so the shop finds the simulator where it looks.
        configured = urlsplit(settings.STRIPE_SIMULATOR_URL)
        parser.add_argument("--host", default=configured.hostname or "127.0.0.1")
        parser.add_argument("--port", type=int, default=configured.port or 12111)
        parser.add_argument(
            "--webhook",
            action="append",
            dest="webhooks",
            metavar="URL",
            help=f"POST events here (repeatable; default {DEFAULT_WEBHOOK_URL})",
        )
        parser.add_argument(
            "--state",
            metavar="PATH",
            help="keep the account in this JSON file across restarts (default: in memory only)",
        )

    def handle(self, *args, host, port, webhooks, state, **options):
        simulator = Simulator(
            webhook_urls=webhooks or [DEFAULT_WEBHOOK_URL],
            webhook_events=ENABLED_EVENTS,
            state_path=state,
        )
        server = serve(simulator, host=host, port=port)
        self.stdout.write(
            f"Stripe simulator on {server.url}\n"
            f"  secret key       {SECRET_KEY}\n"
            f"  publishable key  {PUBLISHABLE_KEY}\n"
            f"  webhook secret   {WEBHOOK_SECRET}\n"
            f"  webhooks to      {', '.join(simulator.webhook_urls)}\n"
            f"  events posted    {', '.join(simulator.webhook_events)}\n"
            f"  state            {state or 'in memory'}\n"
            "Quit with Ctrl-C."
        )
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.shutdown()
            simulator.close()
