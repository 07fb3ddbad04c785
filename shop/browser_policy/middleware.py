"""Response headers: django-csp's Content-Security-Policy plus the payment mode's origins
(shop.payments.browser), where to send violation reports, and the Permissions-Policy.

Placed before the page cache (shop.pagecache) in MIDDLEWARE, so a replayed page gets a fresh
policy. django-csp puts a nonce in the policy only when the page asked for one
(`request.csp_nonce`); the page cache never stores such a page.
"""

from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from django.conf import settings

from shop.payments import browser as payment_browser

REPORT_GROUP = "csp"  # the policy's report-to names this endpoint of Reporting-Endpoints
# Features no page of the shop uses, turned off for the page and every frame in it.
FEATURES_OFF = (
    "accelerometer",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "magnetometer",
    "microphone",
    "midi",
    "usb",
)


class CSPMiddleware(DjangoCSPMiddleware):
    """django-csp's middleware, with the sources the current payment mode needs added."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only:
            update = dict(parts.update or {})
            for directive, sources in payment_browser.policy_sources().items():
                update[directive] = [*update.get(directive, ()), *sources]
            parts.update = update
        return parts

    def process_response(self, request, response):
        response = super().process_response(request, response)
        if "Content-Security-Policy" in response:
            report_uri = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["report-uri"]
            response.setdefault("Reporting-Endpoints", f'{REPORT_GROUP}="{report_uri}"')
        return response


class PermissionsPolicyMiddleware:
    """Sends the Permissions-Policy header on every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        features = [f"{feature}=()" for feature in FEATURES_OFF]
        features.append(f"payment={payment_browser.payment_allowlist()}")
        response.setdefault("Permissions-Policy", ", ".join(features))
        return response
