"""Root URLconf: Oscar's storefront and dashboard, the Django admin, the blog and its glossary, and
shop-wide pages."""

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps
from django.urls import include, path

from shop import media, probes, views
from shop.browser_policy.reports import csp_report
from shop.payments.webhooks import stripe_webhook
from shop.sitemaps import SITEMAPS

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", probes.healthz, name="healthz"),
    path("readyz", probes.readyz, name="readyz"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("favicon.ico", views.favicon, name="favicon"),
    # An index of per-section sitemaps: each section pages itself past `limit` URLs (100k products).
    path("sitemap.xml", sitemaps.index, {"sitemaps": SITEMAPS}, name="sitemap"),
    path(
        "sitemap-<section>.xml",
        sitemaps.sitemap,
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path(settings.ADMIN_URL, admin.site.urls),
    path("payments/stripe/webhook/", stripe_webhook, name="stripe-webhook"),
    path("csp-report/", csp_report, name="csp-report"),
    path("blog/", include("blog.urls")),
    path("glossary/", include("blog.glossary_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # Oscar's sign-in, registration and sign-out at their own addresses, with our views.
    path("accounts/", include("shop.accounts.urls")),
    # Oscar's own routes last: its "" redirect to OSCAR_HOMEPAGE is shadowed by our home page.
    path("", include(apps.get_app_config("oscar").urls[0])),
]

# A database that does not answer is a 503 with Retry-After, not a 500 with a traceback.
handler500 = "shop.errors.server_error"

if settings.DEBUG and not settings.MEDIA_BUCKET:  # object storage serves its files itself
    urlpatterns += media.urlpatterns
