"""Stock Oscar, for `manage.py bench --load --compare-oscar`: Oscar's own apps, templates and URLs as
its documentation sets them up (Haystack's simple search, as in Oscar's sandbox), the demo's products
seeded into a database of its own, served by the same gunicorn and loaded by the same wrk as the shop."""
