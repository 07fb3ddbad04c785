"""Settings come from the environment, with working local defaults and a deploy-ready production mode."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "shop.example",
    "REDIS_URL": "redis://127.0.0.1:6379/3",
}
SHOW_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "host": db.get("HOST", ""),
    "cache": s.CACHES["default"]["BACKEND"], "cache_location": s.CACHES["default"].get("LOCATION", ""),
    "session_engine": s.SESSION_ENGINE, "debug": s.DEBUG, "media_root": str(s.MEDIA_ROOT),
    "currency": s.OSCAR_DEFAULT_CURRENCY, "ssl_redirect": s.SECURE_SSL_REDIRECT,
    "replica_engines": [d["ENGINE"] for alias, d in s.DATABASES.items() if alias != "default"],
}))
"""


def run_with(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY"}
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "shop.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_under(env: dict[str, str]) -> dict:
    result = run_with(env, "-c", SHOW_SETTINGS)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_local_defaults_use_sqlite_and_media_under_var():
    s = settings_under({})
    assert s["engine"] == "django.db.backends.sqlite3"
    assert s["name"] == str(ROOT / "var" / "db.sqlite3")
    assert s["media_root"] == str(ROOT / "var" / "media")
    assert s["cache"].endswith("LocMemCache")
    assert s["debug"] is True and s["currency"] == "USD"


def test_database_url_switches_to_postgresql():
    s = settings_under({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/pinshop"})
    assert s["engine"] == "shop.postgresql"  # Django's, its health check without a query
    assert (s["name"], s["host"]) == ("pinshop", "127.0.0.1")
    assert s["replica_engines"] == []


def test_read_replicas_use_the_same_backend_as_the_primary():
    s = settings_under(
        {
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/pinshop",
            "DATABASE_REPLICA_URLS": "postgres://postgres@127.0.0.1:5433/pinshop",
        }
    )
    assert s["replica_engines"] == ["shop.postgresql"]


def test_redis_url_switches_cache_and_sessions_to_redis():
    s = settings_under({"REDIS_URL": "redis://127.0.0.1:6379/3"})
    assert s["cache"] == "shop.redis_cache.RedisCache"  # django-redis with a breaker
    assert s["cache_location"] == "redis://127.0.0.1:6379/3"
    # Checkout state lives in the session: it must survive losing the cache.
    assert s["session_engine"] == "shop.sessions.cached_db"  # Django's cached_db


def test_production_environment_passes_check_deploy():
    result = run_with(PRODUCTION, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert settings_under(PRODUCTION)["ssl_redirect"] is True


def test_production_refuses_to_start_without_a_secret_key():
    result = run_with({"DEBUG": "0", "ALLOWED_HOSTS": "shop.example"}, "manage.py", "check")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_with_a_cache_per_process():
    without_redis = {k: v for k, v in PRODUCTION.items() if k != "REDIS_URL"}
    result = run_with(without_redis, "manage.py", "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "set REDIS_URL" in result.stderr


def test_the_cache_key_prefix_comes_from_the_environment():
    show_prefix = "import django; django.setup(); from django.conf import settings as s; "
    show_prefix += "print(s.CACHES['default']['KEY_PREFIX'])"
    result = run_with({**PRODUCTION, "CACHE_KEY_PREFIX": "shop-eu"}, "-c", show_prefix)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "shop-eu"


SHOW_MAIL = """
import json, django
django.setup()
from django.conf import settings as s
from django.core.mail import get_connection
worker = get_connection(s.EMAIL_DELIVERY_BACKEND)
print(json.dumps({
    "backend": s.EMAIL_BACKEND, "delivery": s.EMAIL_DELIVERY_BACKEND, "host": s.EMAIL_HOST,
    "timeout": worker.timeout, "stray_options": hasattr(s, "OPTIONS"),
}))
"""


def mail_settings_under(env: dict[str, str]) -> dict:
    result = run_with(env, "-c", SHOW_MAIL)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_mail_is_queued_and_the_worker_sends_through_email_url_within_ten_seconds():
    s = mail_settings_under({"EMAIL_URL": "smtp://mail.example:587"})
    assert s["backend"] == "shop.mail.QueuedEmailBackend"
    assert s["delivery"] == "django.core.mail.backends.smtp.EmailBackend"
    assert s["host"] == "mail.example"
    assert s["timeout"] == 10


def test_email_timeout_comes_from_the_environment_or_the_email_url():
    assert (
        mail_settings_under({"EMAIL_URL": "smtp://m.example", "EMAIL_TIMEOUT": "4.5"})["timeout"]
        == 4.5
    )
    from_url = mail_settings_under({"EMAIL_URL": "smtp://m.example:25?timeout=3"})
    assert from_url["timeout"] == 3
    assert from_url["stray_options"] is False
