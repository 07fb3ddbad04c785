"""/csp-report/: browsers POST what the Content-Security-Policy blocked, in either format (the
`report-uri` one, and the Reporting API's for `report-to`); each violation is logged as a warning.

Anyone can post here, so a report is read only up to MAX_BYTES, anything malformed is refused
with a 400, what is logged is cut short and kept to one line, and at most
SHOP_CSP_REPORTS_PER_MINUTE warnings are logged a minute across the site (the rest are counted).
"""

import json
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

logger = logging.getLogger(__name__.rpartition(".")[0])

MAX_BYTES = 16 * 1024
FIELD_CHARS = 300
# (report-uri name, Reporting API name) of each field logged.
FIELDS = {
    "directive": ("effective-directive", "effectiveDirective"),
    "blocked": ("blocked-uri", "blockedURL"),
    "page": ("document-uri", "documentURL"),
    "source": ("source-file", "sourceFile"),
    "line": ("line-number", "lineNumber"),
}


class BadReport(ValueError):
    pass


@csrf_exempt
@require_POST
@transaction.non_atomic_requests  # no database: nothing to hold a transaction for
def csp_report(request):
    try:
        length = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        length = 0
    if length > MAX_BYTES:
        return HttpResponse(status=413)
    body = request.read(MAX_BYTES + 1)
    if len(body) > MAX_BYTES:
        return HttpResponse(status=413)
    try:
        violations = parse(body)
    except BadReport:
        return HttpResponse(status=400)
    for violation in violations:
        if within_log_budget():
            logger.warning(
                "CSP violation: %(directive)s blocked %(blocked)s on %(page)s "
                "(%(source)s line %(line)s)",
                violation,
            )
    return HttpResponse(status=204)


def parse(body: bytes) -> list[dict[str, str]]:
    """The violations in a report body, each as FIELDS' names to one-line strings."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError) as error:
        raise BadReport("not JSON") from error
    if isinstance(data, dict) and isinstance(data.get("csp-report"), dict):
        reports = [(data["csp-report"], 0)]  # report-uri: one violation
    elif isinstance(data, list) and data:
        reports = [  # report-to: a batch from the Reporting API
            (item.get("body"), 1)
            for item in data
            if isinstance(item, dict) and item.get("type") == "csp-violation"
        ]
    else:
        raise BadReport("neither a report-uri nor a Reporting API body")
    if not reports or not all(isinstance(report, dict) for report, _ in reports):
        raise BadReport("no violation in it")
    return [
        {field: one_line(report.get(names[which], "")) for field, names in FIELDS.items()}
        for report, which in reports
    ]


def one_line(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    text = "".join(ch if ch.isprintable() else " " for ch in text[:FIELD_CHARS])
    return text or "-"


def within_log_budget() -> bool:
    """True while fewer than SHOP_CSP_REPORTS_PER_MINUTE warnings were logged this minute."""
    key = f"shop:csp-reports:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        return True
    return count <= settings.SHOP_CSP_REPORTS_PER_MINUTE
