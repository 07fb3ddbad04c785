"""Browsers report what the policy blocked to /csp-report/ (shop.browser_policy.reports): each
report is logged as a warning naming the directive and the blocked URL; whatever arrives, the
answer is never a 500, and a flood of reports cannot flood the log."""

import json
import logging

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

URL = "/csp-report/"
LOGGER = "shop.browser_policy"

REPORT_URI_BODY = {
    "csp-report": {
        "document-uri": "https://shop.example/catalogue/pin_1/",
        "violated-directive": "script-src-elem",
        "effective-directive": "script-src-elem",
        "blocked-uri": "https://evil.example/x.js",
        "source-file": "https://shop.example/catalogue/pin_1/",
        "line-number": 12,
    }
}
REPORT_TO_BODY = [
    {
        "type": "csp-violation",
        "url": "https://shop.example/blog/",
        "body": {
            "documentURL": "https://shop.example/blog/",
            "effectiveDirective": "script-src-attr",
            "blockedURL": "inline",
            "sourceFile": "https://shop.example/blog/",
            "lineNumber": 40,
        },
    }
]


@pytest.fixture(autouse=True)
def _fresh_log_budget():
    cache.clear()  # the per-minute count of logged reports


@pytest.fixture
def reporter():
    return Client(enforce_csrf_checks=True)  # a report carries no CSRF token


def warnings(caplog):
    return [
        r.getMessage() for r in caplog.records if r.name == LOGGER and r.levelno == logging.WARNING
    ]


def test_the_endpoint_is_named_and_reversible():
    assert reverse("csp-report") == URL


def test_a_report_uri_report_is_logged_and_answered_204(reporter, caplog):
    response = reporter.post(
        URL, json.dumps(REPORT_URI_BODY), content_type="application/csp-report"
    )
    assert response.status_code == 204
    [message] = warnings(caplog)
    assert "script-src-elem" in message and "https://evil.example/x.js" in message
    assert "/catalogue/pin_1/" in message


def test_a_reporting_api_report_is_logged_and_answered_204(reporter, caplog):
    response = reporter.post(
        URL, json.dumps(REPORT_TO_BODY), content_type="application/reports+json"
    )
    assert response.status_code == 204
    [message] = warnings(caplog)
    assert "script-src-attr" in message and "inline" in message and "/blog/" in message


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[1, 2]",
        b'{"csp-report": "x"}',
        b"\xff\xfe",
        b"null",
        b'{"a": {"b": []}}',
    ],
)
def test_garbage_is_refused_without_an_error(reporter, caplog, body):
    response = reporter.post(URL, body, content_type="application/csp-report")
    assert response.status_code == 400
    assert warnings(caplog) == []


def test_a_report_too_big_is_refused_unread(reporter, caplog):
    huge = dict(REPORT_URI_BODY["csp-report"], **{"script-sample": "x" * 100_000})
    response = reporter.post(
        URL, json.dumps({"csp-report": huge}), content_type="application/csp-report"
    )
    assert response.status_code == 413
    assert warnings(caplog) == []


def test_only_post_is_accepted(reporter):
    assert reporter.get(URL).status_code == 405


def test_what_is_logged_cannot_forge_log_lines(reporter, caplog):
    forged = {
        "csp-report": dict(REPORT_URI_BODY["csp-report"], **{"blocked-uri": "x\nERROR forged"})
    }
    reporter.post(URL, json.dumps(forged), content_type="application/csp-report")
    [message] = warnings(caplog)
    assert "\n" not in message


def test_a_flood_of_reports_is_logged_only_up_to_the_limit(reporter, caplog, settings):
    settings.SHOP_CSP_REPORTS_PER_MINUTE = 5
    for _ in range(20):
        response = reporter.post(
            URL, json.dumps(REPORT_URI_BODY), content_type="application/csp-report"
        )
        assert response.status_code == 204
    assert len(warnings(caplog)) == 5
