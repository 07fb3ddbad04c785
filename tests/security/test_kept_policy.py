"""The Content-Security-Policy built once per process (shop.browser_policy.CSPMiddleware) is the one
django-csp builds for each response: with and without a nonce, in every payment mode, report-only
too; a decorated view still gets its own; a setting change is seen at once."""

from dataclasses import asdict

import pytest
from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.decorators import csp_update
from csp.utils import build_policy
from django.http import HttpResponse
from django.test import RequestFactory

from shop.browser_policy.middleware import CSPMiddleware

REPORT_ONLY = {"DIRECTIVES": {"default-src": ["'self'"], "script-src": ["'none'"]}}


def plain_view(request):
    return HttpResponse("plain")


def nonce_view(request):
    return HttpResponse(f"<script nonce='{request.csp_nonce}'></script>")


@csp_update({"img-src": "https://cdn.example.com"})
def decorated_view(request):
    return HttpResponse("decorated")


def served(view):
    request = RequestFactory().get("/somewhere/")
    return request, CSPMiddleware(view)(request)


def django_csp_would_send(request, response) -> dict[str, str]:
    """django-csp's own build of the two headers for this request and response."""
    middleware = CSPMiddleware(plain_view)
    return {
        header: build_policy(
            **asdict(middleware.get_policy_parts(request, response, report_only=report_only)),
            report_only=report_only,
        )
        for header, report_only in ((HEADER, False), (HEADER_REPORT_ONLY, True))
    }


@pytest.mark.parametrize("mode", ["off", "simulator", "stripe"])
@pytest.mark.parametrize("view", [plain_view, nonce_view])
@pytest.mark.parametrize("report_only", [None, REPORT_ONLY])
def test_the_kept_policy_is_the_one_django_csp_builds(settings, mode, view, report_only):
    settings.STRIPE_MODE = mode
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = report_only

    for _ in range(2):  # built, then kept
        request, response = served(view)
        expected = django_csp_would_send(request, response)

        assert response[HEADER] == expected[HEADER]
        assert response.get(HEADER_REPORT_ONLY, "") == expected[HEADER_REPORT_ONLY]


def test_each_response_gets_its_own_nonce_in_the_kept_policy():
    nonces = set()
    for _ in range(3):
        request, response = served(nonce_view)
        nonce = str(request.csp_nonce)
        assert f"'nonce-{nonce}'" in response[HEADER]
        assert "shop-csp-nonce" not in response[HEADER]
        nonces.add(nonce)

    assert len(nonces) == 3


def test_a_page_without_a_nonce_gets_none_and_cannot_ask_for_one_after():
    request, response = served(plain_view)

    assert "nonce-" not in response[HEADER]
    with pytest.raises(Exception, match="not available after the CSP header"):
        str(request.csp_nonce)


def test_a_decorated_view_gets_its_own_policy():
    _request, response = served(decorated_view)

    assert "https://cdn.example.com" in response[HEADER]
    _request, response = served(plain_view)
    assert "https://cdn.example.com" not in response[HEADER]


def test_a_setting_changed_is_seen_on_the_next_response(settings):
    settings.STRIPE_MODE = "off"
    assert "stripe.com" not in served(plain_view)[1][HEADER]

    settings.STRIPE_MODE = "stripe"

    assert "https://js.stripe.com" in served(plain_view)[1][HEADER]


def test_the_reporting_endpoint_comes_with_the_policy():
    _request, response = served(plain_view)

    assert response["Reporting-Endpoints"] == 'csp="/csp-report/"'
