"""Run the demo shop locally: migrate, load the demo data, print where everything is, serve (with a
task worker beside the server, so an upload's thumbnails appear without starting one by hand)."""

import os
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.urls import reverse

from shop.devtools.demo.seed import DEMO_STAFF

ADDRESS = "127.0.0.1:8000"


class Command(BaseCommand):
    help = f"Migrate, seed the demo data and serve the shop on http://{ADDRESS}/"

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("seed_demo", stdout=self.stdout)
        base = f"http://{ADDRESS}"
        lines = [
            "",
            f"{settings.OSCAR_SHOP_NAME} is running:",
            f"  Storefront  {base}/",
            f"  Blog        {base}/blog/",
            f"  Dashboard   {base}/dashboard/",
            f"  Admin       {base}{reverse('admin:index')}",
        ]
        if settings.STRIPE_MODE == "simulator":
            simulator = self.start_stripe_simulator(f"{base}/payments/stripe/webhook/")
            lines.append(
                f"  Payments    Stripe simulator at {simulator.url} (test card 4242 4242 4242 4242)"
            )
        if settings.DEBUG:
            lines.append(
                f"  Staff login {DEMO_STAFF['email']} / {DEMO_STAFF['password']}"
                f"  (admin username: {DEMO_STAFF['username']})"
            )
        worker = self.start_task_worker()
        lines.append("  Tasks       manage.py db_worker: thumbnails of uploads, e-mail retries")
        lines.append("Press Ctrl+C to stop.\n")
        self.stdout.write(self.style.SUCCESS("\n".join(lines)))
        try:
            # No autoreloader: it would re-run the migrate and seed steps in a child process.
            call_command("runserver", ADDRESS, use_reloader=False)
        finally:
            worker.terminate()
            worker.wait(timeout=10)

    def start_task_worker(self) -> subprocess.Popen:
        """The queue that uploads put their thumbnails on (catalogue.images), run in a process of
        its own: a slow image never holds up a page."""
        return subprocess.Popen(
            [sys.executable, "-m", "django", "db_worker", "--no-reload", "--no-startup-delay"],
            cwd=settings.BASE_DIR,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE},
        )

    def start_stripe_simulator(self, webhook_url: str):
        """No Stripe keys: the checkout pays against the project's simulator, in this process."""
        from urllib.parse import urlsplit

        from shop.devtools.stripe_simulator import Simulator, serve
        from shop.payments.webhooks import ENABLED_EVENTS

        where = urlsplit(settings.STRIPE_SIMULATOR_URL)
        return serve(
            Simulator(
                base_url=settings.STRIPE_SIMULATOR_URL,
                webhook_urls=[webhook_url],
                webhook_events=ENABLED_EVENTS,
                # Kept on disk, so orders paid before a restart can still be refunded.
                state_path=settings.VAR_DIR / "stripe-simulator.json",
            ),
            host=where.hostname,
            port=where.port,
        )
