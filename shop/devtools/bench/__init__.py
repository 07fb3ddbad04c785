"""The benchmark behind `manage.py bench`: every page kind timed in-process and under gunicorn load,
each against the framework floor (a trivial 30 KB page through the same middleware)."""
