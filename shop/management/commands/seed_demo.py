"""Load the demo shop: a believable anime-merch catalogue, shipping methods and (with DEBUG) a staff login."""

import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from shop.devtools.demo.seed import add_synthetic_products, seed_demo


class Command(BaseCommand):
    help = "Create the demo catalogue (idempotent). --products N adds N synthetic products for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument(
            "--products",
            type=int,
            default=0,
            metavar="N",
            help="also add N synthetic products in bulk inserts (each run adds N more)",
        )

    def handle(self, *args, products: int, **options):
        if products < 0:
            raise CommandError("--products must be zero or more.")
        report = seed_demo(with_staff=settings.DEBUG)
        self.stdout.write(str(report))
        if products:
            self._add_synthetic(products)

    def _add_synthetic(self, count: int) -> None:
        started = time.monotonic()
        interactive = sys.stdout.isatty()

        def progress(done: int, total: int) -> None:
            rate = done / max(time.monotonic() - started, 1e-6)
            line = f"Synthetic products: {done:,}/{total:,} ({done * 100 // total}%, {rate:,.0f}/s)"
            if interactive:
                self.stdout.write("\r" + line, ending="")
            elif done == total or done % 20000 < 2000:
                self.stdout.write(line)

        added = add_synthetic_products(count, progress=progress)
        if interactive:
            self.stdout.write("")
        self.stdout.write(
            f"Added {added:,} synthetic products in {time.monotonic() - started:.1f}s."
        )
