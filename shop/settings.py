"""Settings for the shop, read from the environment with a working local default for each value.

README.md ("Configuration", "Production") lists the variables and how to run the shop in production.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from oscar.defaults import *  # noqa: F403 -- Oscar's documented way to start from its defaults

from shop.order import pipeline as order_pipeline

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)  # the default SQLite file and media live here; git ignores it

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)
# With DEBUG off there is no default: a production process refuses to start without a real key.
SECRET_KEY = (
    env("SECRET_KEY", default="django-insecure-local-development-key-not-for-production")
    if DEBUG
    else env("SECRET_KEY")
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- Applications -----------------------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.flatpages",
    "django.contrib.sitemaps",
    "django.forms",  # Django's widget templates, for FORM_RENDERER below
    "oscar.config.Shop",
    "oscar.apps.analytics.apps.AnalyticsConfig",
    "shop.checkout.apps.CheckoutConfig",
    "oscar.apps.address.apps.AddressConfig",
    "shop.shipping.apps.ShippingConfig",
    "catalogue.apps.CatalogueConfig",
    "oscar.apps.catalogue.reviews.apps.CatalogueReviewsConfig",
    "oscar.apps.communication.apps.CommunicationConfig",
    "oscar.apps.partner.apps.PartnerConfig",
    "shop.basket.apps.BasketConfig",
    "oscar.apps.payment.apps.PaymentConfig",
    "shop.offer.apps.OfferConfig",
    "shop.order.apps.OrderConfig",
    "shop.customer.apps.CustomerConfig",  # Oscar's app, two views swapped (shop/customer/views.py)
    "shop.search.apps.SearchConfig",
    "oscar.apps.voucher.apps.VoucherConfig",
    "oscar.apps.wishlists.apps.WishlistsConfig",
    "shop.dashboard.apps.DashboardConfig",
    "oscar.apps.dashboard.reports.apps.ReportsDashboardConfig",
    "oscar.apps.dashboard.users.apps.UsersDashboardConfig",
    "shop.dashboard.orders.apps.OrdersDashboardConfig",
    "shop.dashboard.catalogue.apps.CatalogueDashboardConfig",
    "oscar.apps.dashboard.offers.apps.OffersDashboardConfig",
    "oscar.apps.dashboard.partners.apps.PartnersDashboardConfig",
    "oscar.apps.dashboard.pages.apps.PagesDashboardConfig",
    "oscar.apps.dashboard.ranges.apps.RangesDashboardConfig",
    "oscar.apps.dashboard.reviews.apps.ReviewsDashboardConfig",
    "oscar.apps.dashboard.vouchers.apps.VouchersDashboardConfig",
    "oscar.apps.dashboard.communications.apps.CommunicationsDashboardConfig",
    "oscar.apps.dashboard.shipping.apps.ShippingDashboardConfig",
    # Oscar's third-party dependencies, less Haystack: search runs on database queries (shop/search).
    "widget_tweaks",
    "treebeard",
    "django_tables2",
    "sorl.thumbnail",
    # Ours
    "shop.apps.ShopConfig",
    "shop.payments.apps.PaymentsConfig",
    "shop.worker.apps.WorkerConfig",
    "blog.apps.BlogConfig",
    # The task queue after ours: the first app naming a command wins, and shop's `db_worker`
    # (which also runs the periodic jobs and recovers dead workers' jobs, shop/worker/) replaces
    # django_tasks_db's.
    "django_tasks",
    "django_tasks_db",
]

SITE_ID = 1

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the page cache: a replayed page gets a policy of its own (shop.browser_policy).
    "shop.browser_policy.middleware.CSPMiddleware",
    "shop.browser_policy.middleware.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Every URL argument and query string checked before any view reads it (catalogue.parsing).
    "catalogue.parsing.URLArgumentMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "shop.basket.middleware.BasketMiddleware",
    "shop.pagecache.middleware.PageCacheMiddleware",
    "django.contrib.flatpages.middleware.FlatpageFallbackMiddleware",
]

ROOT_URLCONF = "shop.urls"
WSGI_APPLICATION = "shop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.template.context_processors.i18n",
                "django.contrib.messages.context_processors.messages",
                # Not Oscar's search_form processor: it builds a search form on every page, and
                # no template here reads it (the header's search box is plain HTML).
                "oscar.apps.checkout.context_processors.checkout",
                # Not Oscar's notifications processor: it counts unread notifications on every
                # page for signed-in shoppers, for a badge only Oscar's unused nav_accounts shows.
                "oscar.core.context_processors.metadata",
            ],
        },
    },
]

# Widgets render through TEMPLATES, so templates/ can override Oscar's widget templates
# (templates/oscar/forms/widgets/: no inline event handlers under the Content-Security-Policy).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# Signing in (shop.accounts): the login throttle first (it refuses a locked-out attempt before any
# password is hashed), then the one backend that checks passwords, by e-mail or username, hashing
# once whether or not the account exists.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesBackend",
    "shop.accounts.backends.EmailOrUsernameBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "shop.accounts.passwords.ShopNameValidator"},
]

LOGIN_REDIRECT_URL = "/accounts/"

# --- Data -------------------------------------------------------------------------------------

DATABASE_SESSION_OPTIONS = "-c jit=off -c pg_trgm.word_similarity_threshold=0.5"
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite is for local use. IMMEDIATE takes the write lock at BEGIN, so a request never fails with
    # "database is locked" while upgrading a read to a write: requests queue (up to 20 s) instead.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    # A connection the server dropped (a restart) is replaced on the next request, no worker
    # restart; one that cannot be made fails within connect_timeout (a 503, shop/errors.py).
    # Django's backend, checking a kept connection without a query (shop/postgresql).
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"]["ENGINE"] = "shop.postgresql"
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=3)
    )
    # The shop's queries read a page of rows through an index; JIT only pays for long analytical
    # scans, yet a high cost estimate alone made PostgreSQL spend ~200 ms compiling a 0.1 ms query.
    # pg_trgm's word similarity from 0.5 (its default 0.6): the search box's suggestions
    # (shop.search.suggestions) find "enamel" from "enamle" (0.57) through the trigram index.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", DATABASE_SESSION_OPTIONS)
    # Parameters are bound on the server (Django's default binds them on the client and never
    # prepares), and psycopg prepares a statement from its second run on a connection: PostgreSQL
    # parses it once per connection, and plans a statement that runs often (the basket's lines,
    # a dozen joins, took longer to plan than to run) once: a guest's order cost PostgreSQL
    # 10-11 ms of CPU instead of 13-14 (README "Performance", 5 December). Prepared statements
    # live on a server session: behind a transaction-mode pooler (pgbouncer before 1.21) set
    # prepare_threshold to None, and nothing is prepared.
    DATABASES["default"]["OPTIONS"].setdefault("server_side_binding", True)
    DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 1)
# Read replicas (shop.replicas): anonymous storefront and blog renders read the catalogue and the
# blog from one that has replayed the primary up to REPLICA_MAX_LAG seconds ago; all else, and
# every write, stays on the primary. A replica that does not answer within a second is skipped.
for number, url in enumerate(env.list("DATABASE_REPLICA_URLS", default=[]), start=1):
    replica = environ.Env.db_url_config(url)
    if replica["ENGINE"] == "django.db.backends.postgresql":
        replica["ENGINE"] = "shop.postgresql"
    replica["CONN_MAX_AGE"] = DATABASES["default"].get("CONN_MAX_AGE", 0)
    replica["CONN_HEALTH_CHECKS"] = True
    replica.setdefault("OPTIONS", {}).update(
        {"connect_timeout": 1, "options": DATABASE_SESSION_OPTIONS}
    )
    for option in ("server_side_binding", "prepare_threshold"):  # as the primary's
        if option in DATABASES["default"]["OPTIONS"]:
            replica["OPTIONS"].setdefault(option, DATABASES["default"]["OPTIONS"][option])
    replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica{number}"] = replica
if len(DATABASES) > 1:
    DATABASE_ROUTERS = ["shop.replicas.ReplicaRouter"]
REPLICA_MAX_LAG = env.float("REPLICA_MAX_LAG", default=2.0)
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

REDIS_URL = env("REDIS_URL", default="")
# Several shops (or a shop and its benchmark) may share one Redis: each keys its entries apart.
CACHE_KEY_PREFIX = env("CACHE_KEY_PREFIX", default="shop")
# A Redis that stops answering costs a page at most one wait: the first failed call (refused, or no
# reply within these seconds) makes the cache a miss without the network for REDIS_BYPASS_SECONDS,
# then one call tries again (shop.redis_cache). Redis answers in well under a millisecond.
REDIS_CONNECT_TIMEOUT = env.float("REDIS_CONNECT_TIMEOUT", default=0.25)
REDIS_TIMEOUT = env.float("REDIS_TIMEOUT", default=0.5)
REDIS_BYPASS_SECONDS = env.float("REDIS_BYPASS_SECONDS", default=5)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "shop.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": REDIS_CONNECT_TIMEOUT,
                "SOCKET_TIMEOUT": REDIS_TIMEOUT,
                "BYPASS_SECONDS": REDIS_BYPASS_SECONDS,
            },
        }
    }
    # Oscar keeps checkout state in the session: cached_db survives losing the cache.
    SESSION_ENGINE = "shop.sessions.cached_db"
elif not DEBUG:
    # Cached pages are checked against tag versions (catalogue.generations) that every worker
    # must share: with a cache per process, a price changed through one worker stays old on the
    # others until their entries expire.
    raise ImproperlyConfigured(
        "With DEBUG off the cache must be shared by every worker: set REDIS_URL "
        "(e.g. redis://127.0.0.1:6379/0)."
    )
else:
    # One process (runserver, tests). Room for a few thousand pages and listing parts: at the
    # default 300 entries, culling also drops cache tag versions, and entries go cold early.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {"MAX_ENTRIES": 3000},
        }
    }
    SESSION_ENGINE = "shop.sessions.db"
# Not a traceback per failed call: the breaker logs an outage once per interval, with counts.
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = False

# /readyz (shop.probes): how long the cache and storage checks may take before it says 503.
READYZ_TIMEOUT = env.float("READYZ_TIMEOUT", default=1.0)

# --- Static and media -------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "shop.static_storage.RememberingStaticFilesStorage"
        )
    },
}
# Media in S3-compatible object storage when MEDIA_BUCKET is set (shop/storage.py), so every app
# server and the task worker share one store; otherwise on local disk in MEDIA_ROOT.
MEDIA_BUCKET = env("MEDIA_BUCKET", default="")
if MEDIA_BUCKET:
    # Pages link the public URL (a CDN, or the bucket's own website URL) when there is one; a
    # private bucket gets links signed in the process, valid MEDIA_SIGNED_URL_SECONDS. Either way a
    # page never asks the store anything. Cached pages (10 minutes) carry signed links: they must
    # outlive them by far, or a cached page would show expired pictures.
    MEDIA_PUBLIC_URL = env("MEDIA_PUBLIC_URL", default="").rstrip("/")
    MEDIA_SIGNED_URL_SECONDS = env.int("MEDIA_SIGNED_URL_SECONDS", default=24 * 60 * 60)
    if not MEDIA_PUBLIC_URL and not 60 * 60 <= MEDIA_SIGNED_URL_SECONDS <= 7 * 24 * 60 * 60:
        raise ImproperlyConfigured(
            "MEDIA_SIGNED_URL_SECONDS must be from 3600 (cached pages carry signed links) to "
            "604800 (the longest a SigV4 link can be valid)."
        )
    public = urlsplit(MEDIA_PUBLIC_URL)
    if MEDIA_PUBLIC_URL and public.scheme not in ("http", "https"):
        raise ImproperlyConfigured(
            "MEDIA_PUBLIC_URL is the address pages link media at, e.g. https://media.example.com."
        )
    MEDIA_ENDPOINT_URL = env("MEDIA_ENDPOINT_URL", default="")
    STORAGES["default"] = {
        "BACKEND": "shop.storage.ObjectStorage",
        "OPTIONS": {
            "bucket_name": MEDIA_BUCKET,
            "endpoint_url": MEDIA_ENDPOINT_URL or None,
            "region_name": env("MEDIA_REGION", default="") or None,
            # None: boto3's own chain (AWS_* variables, an instance or pod role).
            "access_key": env("MEDIA_ACCESS_KEY_ID", default="") or None,
            "secret_key": env("MEDIA_SECRET_ACCESS_KEY", default="") or None,
            # S3-compatible servers (MinIO, moto, Ceph) address buckets by path, not host name.
            "addressing_style": "path" if MEDIA_ENDPOINT_URL else None,
            "timeout": env.float("MEDIA_TIMEOUT", default=5),
            "custom_domain": (public.netloc + public.path) or None,
            "url_protocol": f"{public.scheme}:" if MEDIA_PUBLIC_URL else "https:",
            "querystring_auth": not MEDIA_PUBLIC_URL,
            "querystring_expire": MEDIA_SIGNED_URL_SECONDS,
        },
    }
    MEDIA_URL = f"{MEDIA_PUBLIC_URL}/" if MEDIA_PUBLIC_URL else MEDIA_URL
THUMBNAIL_FORMAT = "WEBP"
THUMBNAIL_PRESERVE_FORMAT = False
THUMBNAIL_QUALITY = 82
# Oscar's {% oscar_thumbnail %} links the sizes the task worker makes, never renders one in a page.
OSCAR_THUMBNAILER = "catalogue.images.NamedThumbnailer"

# Uploaded images (catalogue.image_policy): product, category and blog hero pictures are JPEG, PNG
# or WebP, decoded in full and stored re-encoded without metadata. 40 megapixels covers any camera
# or print-ready artwork (a 7,700 x 5,200 photo) and bounds a decode at ~160 MB (RGBA); 8 MB fits a
# high-quality 40 MP JPEG. The thumbnail worker (catalogue.images) opens nothing larger.
IMAGE_MAX_PIXELS = env.int("IMAGE_MAX_PIXELS", default=40_000_000)
IMAGE_MAX_BYTES = env.int("IMAGE_MAX_BYTES", default=8 * 1024 * 1024)

# --- E-mail -----------------------------------------------------------------------------------

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
# E-mail never leaves from a request (shop.mail): the request queues it for the task worker, which
# sends it through the backend EMAIL_URL names and waits at most EMAIL_TIMEOUT seconds for the mail
# server (Django's SMTP backend has no timeout of its own; `?timeout=` in EMAIL_URL counts too).
EMAIL_TIMEOUT = env.float(
    "EMAIL_TIMEOUT", default=EMAIL_CONFIG.pop("OPTIONS", {}).get("TIMEOUT", 10)
)
EMAIL_DELIVERY_BACKEND = EMAIL_CONFIG.pop("EMAIL_BACKEND")
EMAIL_BACKEND = "shop.mail.QueuedEmailBackend"
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Pin Senpai <orders@pinsenpai.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background work (django-tasks): e-mail retries, thumbnails, payments reconciliation.
# `manage.py db_worker` runs the queue (as many as you like: shop/worker/).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Each worker says it is alive every TASK_WORKER_BEAT_SECONDS; a job left running by a worker
# unseen for TASK_WORKER_LOST_AFTER seconds is queued again (shop.worker.lease). Keep the bound
# several beats long: a worker that misses it while alive may see its job run a second time.
TASK_WORKER_BEAT_SECONDS = env.float("TASK_WORKER_BEAT_SECONDS", default=10)
TASK_WORKER_LOST_AFTER = env.float("TASK_WORKER_LOST_AFTER", default=60)
# Days a finished job's row stays in the queue's table (its result, its traceback) before the
# workers' daily run deletes it (shop.worker.jobs.forget_finished_jobs).
TASK_RESULTS_KEPT_DAYS = env.float("TASK_RESULTS_KEPT_DAYS", default=14)
# Hours between the workers' runs of search's frequent-word keeping (catalogue.search_words).
SHOP_KEEP_FREQUENT_WORDS_EVERY = env.float("SHOP_KEEP_FREQUENT_WORDS_EVERY", default=24)

# --- Internationalisation ---------------------------------------------------------------------

# British English is Oscar's own wording ("basket"); Python's gettext expands plain "en" to en_US,
# where Oscar's catalogue says "cart".
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", _("English"))]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Security (production values come from the environment; check --deploy guards them) -------

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
OSCAR_BASKET_COOKIE_SECURE = SESSION_COOKIE_SECURE
OSCAR_RECENTLY_VIEWED_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Least privilege: the Django admin's path, used by shop/urls.py. "admin/" locally;
# production sets a path of its own so scanners of /admin/ find nothing to guess passwords at.
# Written with or without slashes ("/back-office" or "back-office/"); never the site root.
ADMIN_URL = (env("ADMIN_URL", default="admin/").strip("/") or "admin") + "/"

# Content-Security-Policy (django-csp; shop.browser_policy adds the payment mode's origins).
# Scripts come from the shop itself, or inline with this response's nonce: django-csp puts one in
# the header only when the page used `request.csp_nonce` (dashboard pages do; storefront and blog
# pages, which the page cache replays, use none). Styles allow 'unsafe-inline': Oscar's and the
# admin's markup, Bootstrap, select2 and TinyMCE write style attributes and <style> elements,
# styles cannot run code, and staff HTML is sanitised before it is shown.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],  # data: for the dashboard's preview of an image to upload
        "connect-src": [SELF],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "report-uri": "/csp-report/",  # shop.browser_policy.reports
        "report-to": "csp",  # the Reporting-Endpoints group that names the same URL
    }
}
# Violation reports logged a minute, site-wide; the rest are dropped (anyone can post reports).
SHOP_CSP_REPORTS_PER_MINUTE = env.int("SHOP_CSP_REPORTS_PER_MINUTE", default=60)

# Login throttling (django-axes, hooks in shop.accounts.throttle), on every login form: the
# storefront's, the checkout's, the dashboard's and the admin's. 5 failures for one account from
# one address lock that pair for 15 minutes, and each attempt while locked starts the wait again:
# a guesser gets at most ~480 tries a day per address, while a shopper who mistypes a few times is
# not stopped and nobody elsewhere can lock them out. A successful login clears the count; staff
# unlock in the admin (Axes > Access attempts).
INSTALLED_APPS += ["axes"]
# Last, as axes asks: it turns a locked-out attempt into the lockout page.
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no banner on every command; failures and lockouts are still logged
AXES_USERNAME_CALLABLE = "shop.accounts.throttle.lockout_username"
AXES_CLIENT_IP_CALLABLE = "shop.accounts.throttle.client_ip"
AXES_LOCKOUT_CALLABLE = "shop.accounts.throttle.locked_out"
# How many proxies of ours (haproxy, a CDN...) stand before the app and append to
# X-Forwarded-For: the client is the address the outermost one saw. 0 (local use): the connection.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# --- Logging ----------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "oscar.alerts": {"level": "WARNING"},
        "stripe": {"level": "WARNING"},  # the SDK logs every request at INFO
    },
}

# --- The shop ---------------------------------------------------------------------------------

OSCAR_SHOP_NAME = "Pin Senpai"
OSCAR_SHOP_TAGLINE = "Enamel pins and merch for anime fans"
OSCAR_HOMEPAGE = "/"
OSCAR_DEFAULT_CURRENCY = env("SHOP_CURRENCY", default="USD")
# Prices read "$12.00", not en-GB's "US$12.00"; other currencies use the language's format.
OSCAR_CURRENCY_FORMAT = {"USD": {"locale": "en_US"}}
OSCAR_FROM_EMAIL = DEFAULT_FROM_EMAIL
OSCAR_ALLOW_ANON_CHECKOUT = True
# Back-in-stock alerts are sent by shop.order.receivers, which skips an order's hold of units.
OSCAR_EAGER_ALERTS = False
# Order and line statuses and their allowed changes: shop/order/pipeline.py.
OSCAR_INITIAL_ORDER_STATUS = order_pipeline.PENDING_PAYMENT
OSCAR_INITIAL_LINE_STATUS = order_pipeline.PENDING_PAYMENT
OSCAR_ORDER_STATUS_PIPELINE = order_pipeline.ORDER_PIPELINE
OSCAR_LINE_STATUS_PIPELINE = order_pipeline.LINE_PIPELINE
OSCAR_ORDER_STATUS_CASCADE = order_pipeline.CASCADE
# Order lines the customer never received: they do not make a review a "verified purchase".
SHOP_LINE_STATUSES_NOT_BOUGHT = (order_pipeline.CANCELLED,)
OSCAR_PRODUCTS_PER_PAGE = 24
OSCAR_MISSING_IMAGE_URL = "image_not_found.jpg"
OSCAR_IMAGE_FOLDER = "images/products/"
OSCAR_REQUIRED_ADDRESS_FIELDS = ("first_name", "last_name", "line1", "line4", "postcode", "country")
# Reviews (catalogue.reviews): staff approve each one in the dashboard before it is shown; only
# signed-in shoppers write them unless OSCAR_ALLOW_ANON_REVIEWS, and nobody sends more than
# SHOP_REVIEWS_PER_HOUR an hour (per account and per address).
OSCAR_MODERATE_REVIEWS = True
OSCAR_ALLOW_ANON_REVIEWS = env.bool("OSCAR_ALLOW_ANON_REVIEWS", default=False)
SHOP_REVIEWS_PER_HOUR = env.int("SHOP_REVIEWS_PER_HOUR", default=5)

# Search runs on database queries (shop/search). Haystack is not an installed app, but Oscar's
# get_class() imports Oscar's own search modules too, and Haystack refuses to import without this.
HAYSTACK_CONNECTIONS = {"default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}}

# --- Payments (shop/payments) ------------------------------------------------------------------

STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
# With real keys we talk to Stripe; with none, DEBUG talks to the project's Stripe simulator
# (manage.py stripe_simulator, started by `make run`), and production refuses to take payment.
STRIPE_MODE = "stripe" if STRIPE_SECRET_KEY else ("simulator" if DEBUG else "off")
STRIPE_SIMULATOR_URL = env("STRIPE_SIMULATOR_URL", default="http://127.0.0.1:12111")
STRIPE_TIMEOUT_SECONDS = env.float("STRIPE_TIMEOUT_SECONDS", default=12)
STRIPE_MAX_NETWORK_RETRIES = env.int("STRIPE_MAX_NETWORK_RETRIES", default=2)
# Reconciliation (shop/payments/reconcile.py) runs on the task worker every this many minutes; a
# hold with no order is an orphan, and cancelled, once it is PAYMENTS_ORPHAN_GRACE minutes old. A
# failed checkout's hold is thus released within grace + 2 x every minutes (what shoppers are told).
PAYMENTS_RECONCILE_EVERY = env.int("PAYMENTS_RECONCILE_EVERY", default=5)
PAYMENTS_ORPHAN_GRACE = env.int("PAYMENTS_ORPHAN_GRACE", default=15)

# Whole storefront and blog pages cached for shoppers who are not signed in (shop.pagecache).
SHOP_PAGE_CACHE = env.bool("SHOP_PAGE_CACHE", default=True)
# Count how pages are served (hit, built, ...) in the cache: the benchmark's settings turn it on.
SHOP_PAGE_CACHE_COUNTS = False

# How often product page views are added to Oscar's ProductRecord.num_views
# (catalogue.view_counts): with Redis, by the task workers' periodic job; without it, by each
# process after a response. No write in the request path.
SHOP_PRODUCT_VIEWS_FLUSH_SECONDS = env.float("SHOP_PRODUCT_VIEWS_FLUSH_SECONDS", default=30)

# --- Shipping (shop/shipping) ------------------------------------------------------------------

SHOP_SHIPPING_STANDARD = Decimal(env("SHOP_SHIPPING_STANDARD", default="4.50"))
SHOP_SHIPPING_EXPRESS = Decimal(env("SHOP_SHIPPING_EXPRESS", default="12.00"))
# Standard shipping is free from this basket total (incl. tax, after discounts).
SHOP_FREE_SHIPPING_OVER = Decimal(env("SHOP_FREE_SHIPPING_OVER", default="50.00"))

# Oscar's dashboard menu, with franchises and content warnings under Catalogue (shop/dashboard).
OSCAR_DASHBOARD_NAVIGATION = [
    {
        **entry,
        "children": [
            *entry["children"],
            {"label": _("Franchises"), "url_name": "dashboard:catalogue-franchise-list"},
            {
                "label": _("Content warnings"),
                "url_name": "dashboard:catalogue-content-warning-list",
            },
        ],
    }
    if any(
        child.get("url_name") == "dashboard:catalogue-product-list"
        for child in entry.get("children", ())
    )
    else entry
    for entry in OSCAR_DASHBOARD_NAVIGATION  # noqa: F405 -- Oscar's default, from oscar.defaults
]
# Reports: Oscar's, and which articles sell (shop.dashboard.articles).
OSCAR_DASHBOARD_NAVIGATION = [
    {
        "label": entry["label"],
        "icon": entry.get("icon", ""),
        "children": [
            {"label": _("Reports"), "url_name": entry["url_name"]},
            {"label": _("Articles"), "url_name": "dashboard:articles"},
        ],
    }
    if entry.get("url_name") == "dashboard:reports-index"
    else entry
    for entry in OSCAR_DASHBOARD_NAVIGATION
]
