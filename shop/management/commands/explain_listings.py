"""Write the cold timings and EXPLAIN (ANALYZE, BUFFERS) of the listing and search pages to
docs/perf/explain-100k.txt (see shop/devtools/explain.py). Meant for PostgreSQL at 100k products:

    DATABASE_URL=postgres://… manage.py explain_listings [--requests 20] [--out FILE]
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from shop.devtools import explain


class Command(BaseCommand):
    help = "Cold listing/search page timings and their query plans, into docs/perf/."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=20, help="cold requests per page")
        parser.add_argument(
            "--out", default=str(Path(settings.BASE_DIR) / "docs" / "perf" / "explain-100k.txt")
        )
        parser.add_argument("--no-plans", action="store_true", help="timings only")

    def handle(self, *args, requests: int, out: str, no_plans: bool, **options):
        if connection.vendor != "postgresql":
            raise CommandError("EXPLAIN (ANALYZE, BUFFERS) is PostgreSQL's: set DATABASE_URL.")
        text = explain.run(requests=requests, explain=not no_plans)
        path = Path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        self.stdout.write(text.split("\n\n=")[0])
        self.stdout.write(f"\nWritten to {path}")
