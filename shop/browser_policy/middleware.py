"""Response headers: django-csp's Content-Security-Policy plus the payment mode's origins
(shop.payments.browser), where to send violation reports, and the Permissions-Policy.

Placed before the page cache (shop.pagecache) in MIDDLEWARE, so a replayed page gets a fresh
policy. django-csp puts a nonce in the policy only when the page asked for one
(`request.csp_nonce`); the page cache never stores such a page.
"""

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from shop.payments import browser as payment_browser

REPORT_GROUP = "csp"  # the policy's report-to names this endpoint of Reporting-Endpoints
# What django-csp's decorators put on a response: its policy is its own, not the process's.
PER_VIEW = tuple(
    f"_csp_{kind}{suffix}"
    for kind in ("config", "update", "replace", "exempt")
    for suffix in ("", "_ro")
)
DEBUG_PAGES = (404, 500)  # django-csp leaves these alone under DEBUG (its debug views)
NONCE_STAND_IN = "shop-csp-nonce"  # in the kept policy, where each response's nonce goes
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
    """django-csp's middleware, with the sources the current payment mode needs added.

    A response no view decorated (django-csp's `csp_update` and the like; the shop uses none) gets
    the same policy as every other but for its nonce, so that policy is built once per process,
    with a stand-in for the nonce, and kept until a setting changes: building it was about a
    tenth of the Python a page served from the page cache ran. A decorated response, or an error
    page under DEBUG (which django-csp leaves alone), takes django-csp's own way."""

    _built: dict[bool, tuple[str, str]] = {}  # {with a nonce: (policy, report-only policy)}

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only:
            parts.update = with_payment_sources(parts.update)
        return parts

    def process_response(self, request, response):
        if any(hasattr(response, name) for name in PER_VIEW) or (
            settings.DEBUG and response.status_code in DEBUG_PAGES
        ):
            return self._reporting(super().process_response(request, response))
        nonce = getattr(request, "_csp_nonce", None)
        policy, report_only = self.policies(with_nonce=nonce is not None)
        for header, value, setting in (
            (HEADER, policy, "CONTENT_SECURITY_POLICY"),
            (HEADER_REPORT_ONLY, report_only, "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
        ):
            if value and header not in response and not excluded(request, setting):
                response[header] = value.replace(NONCE_STAND_IN, nonce) if nonce else value
        if nonce is None:  # as django-csp: a nonce asked for after this would not be in the header
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return self._reporting(response)

    @classmethod
    def policies(cls, *, with_nonce: bool) -> tuple[str, str]:
        """The policy and the report-only policy of an undecorated response, as django-csp
        builds them (with NONCE_STAND_IN for the nonce)."""
        built = cls._built.get(with_nonce)
        if built is None:
            nonce = NONCE_STAND_IN if with_nonce else None
            built = cls._built[with_nonce] = (
                build_policy(update=with_payment_sources(None), nonce=nonce),
                build_policy(nonce=nonce, report_only=True),
            )
        return built

    @staticmethod
    def _reporting(response):
        if "Content-Security-Policy" in response:
            report_uri = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["report-uri"]
            response.setdefault("Reporting-Endpoints", f'{REPORT_GROUP}="{report_uri}"')
        return response


def with_payment_sources(update: dict | None) -> dict:
    """django-csp's `update` with the sources the current payment mode needs added to it."""
    update = dict(update or {})
    for directive, sources in payment_browser.policy_sources().items():
        update[directive] = [*update.get(directive, ()), *sources]
    return update


def excluded(request, setting: str) -> bool:
    prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
    return request.path_info.startswith(tuple(prefixes))


@receiver(setting_changed)
def _forget_policies(**kwargs):
    CSPMiddleware._built.clear()


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
