"""What every journey page must pass in a real browser, and the screenshots of it.

`Journey` watches a test's browser context from the start: console errors, uncaught script errors,
Content-Security-Policy violations (the `securitypolicyviolation` event, on every page), every
request, and every page of the shop served without a policy. `journey.check("home")` then looks
at the page on screen: none of those, no request that left 127.0.0.1 (the shop works offline), no
serious or critical axe-core violations, no horizontal scrolling at 1280 px nor at a 390 px phone
width; and it saves a desktop and a phone screenshot as
var/screenshots/<journey>-NN-<name>-{desktop,phone}.png.

A page's problems do not stop the journey: they are collected, and the test fails with all of
them once its steps are done (`PageCheckFailed`, raised by conftest.py). So one run lists every
page that needs work, and a journey that breaks (a missing button, a wrong total) still fails on
its own, apart from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import ConsoleMessage, Page, Request, Response

CHROMIUM = Path("/usr/bin/chromium")  # Debian's package; Playwright's own download can't work here
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Every browser test module: `pytestmark = BROWSER_TESTS`. CI runs them once, on PostgreSQL
# (`-m "not browser"` leaves them out of the SQLite run).
BROWSER_TESTS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"no browser: Debian's chromium is not installed at {CHROMIUM} "
        "(apt-get install chromium; CI installs it)",
    ),
    # pytest-playwright 0.10's own base_url fixture, which pytest 9 deprecates; nothing of ours.
    pytest.mark.filterwarnings(
        "ignore:Session-scoped fixtures defined as instance methods:pytest.PytestRemovedIn10Warning"
    ),
]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
# Every page is local: a step still waiting after this has failed (Playwright's default is 30 s).
TIMEOUT_MS = 10_000

FINISH_TRANSITIONS = """() => Promise.all(document.getAnimations()
    .filter((animation) => animation.effect?.getComputedTiming().endTime !== Infinity)
    .map((animation) => animation.finished.catch(() => null)))"""

LOOPBACK = "127.0.0.1"
LOCAL_SCHEMES = ("data", "blob")
FAILING_IMPACTS = ("serious", "critical")

# Run in every page before its own scripts: each violation of its Content-Security-Policy is
# passed to the test (an inline handler, an eval, a script, frame or fetch the policy refuses).
CSP_WATCHER = """document.addEventListener("securitypolicyviolation", (event) => {
    window.reportCspViolation(`${event.effectiveDirective} blocked ${event.blockedURI || "?"} ` +
        `at ${event.sourceFile || event.documentURI}:${event.lineNumber} ` +
        `[${event.disposition}] ${event.sample || ""}`.trim());
});"""

_axe = Axe()  # axe-core ships inside axe-playwright-python: nothing is fetched


class PageCheckFailed(AssertionError):
    """Pages of a journey failed the checks (console, offline, axe, phone width).

    Its own class, so a journey kept from passing only by known page problems can be marked
    `xfail(raises=PageCheckFailed, strict=True)` while a broken step still fails the test.
    """


@dataclass
class Journey:
    """A test's browser tab (and any tab it opens), what its pages failed, their screenshots."""

    page: Page
    base_url: str
    name: str
    shots: int = 0  # screenshots so far: a module's tests number theirs in one sequence
    problems: list[str] = field(default_factory=list)
    _console_errors: list[str] = field(default_factory=list)
    _off_host: list[str] = field(default_factory=list)
    _csp_violations: list[str] = field(default_factory=list)
    _without_policy: list[str] = field(default_factory=list)
    _error_pages: set[str] = field(default_factory=set)  # URLs visited for their error status

    def __post_init__(self):
        # Watched on the browser context, so a tab the journey opens (a preview) is watched too.
        context = self.page.context
        context.on("console", self._on_console)
        context.on("weberror", lambda error: self._console_errors.append(f"uncaught {error.error}"))
        context.on("request", self._on_request)
        context.on("response", self._on_response)
        context.expose_function("reportCspViolation", self._on_csp_violation)
        context.add_init_script(CSP_WATCHER)
        context.set_default_timeout(TIMEOUT_MS)
        self.page.set_viewport_size(DESKTOP)

    def url(self, path: str) -> str:
        return self.base_url + path

    def visit(self, path: str, *, status: int | None = None):
        """Open a page of the shop: a success, or the error page `status` asks for (Chromium
        logs that status as a console error, which is then no problem of the page)."""
        url = self.url(path)
        if status is not None:
            self._error_pages.add(url)
        response = self.page.goto(url)
        got = response and response.status
        if status is None:
            assert response is not None and response.ok, f"{path}: HTTP {got}"
        else:
            assert got == status, f"{path}: HTTP {got}, not {status}"
        return response

    def check(self, name: str, *, page: Page | None = None) -> None:
        """Check the page now on screen (the journey's tab unless `page`) and screenshot it."""
        page = page or self.page
        page.wait_for_load_state("load")
        # A transition under way (a tab fading in, a button easing to its hover colour) would
        # have axe read colours the page never rests at: let the finite ones end first.
        page.evaluate(FINISH_TRANSITIONS)
        self.shots += 1
        label = f"{self.name}-{self.shots:02d}-{name}"
        found = []

        violations = serious_violations(page)
        if violations:
            found.append("axe-core violations:\n" + describe(violations))

        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        try:
            for width_name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
                page.set_viewport_size(viewport)
                scroll_width = page.evaluate("document.documentElement.scrollWidth")
                if scroll_width > viewport["width"]:
                    found.append(
                        f"scrolls sideways at {viewport['width']} px: the page is {scroll_width} "
                        f"px wide ({widest_elements(page, viewport['width'])})"
                    )
                page.screenshot(path=SCREENSHOTS / f"{label}-{width_name}.png", full_page=True)
        finally:
            page.set_viewport_size(DESKTOP)
        # Last, so that errors the page's scripts raised while loading have been reported.
        found = self._events_since_last_check() + found
        if found:
            self.problems.append(f"{label} ({page.url}):\n" + "\n".join(found))

    def finish(self) -> None:
        """Fail with every problem found, including console errors and off-host requests after
        the last check. conftest.py calls it when the test's own steps have passed."""
        found = self._events_since_last_check()
        if found:
            self.problems.append(f"{self.name}, after the last check:\n" + "\n".join(found))
        if self.problems:
            raise PageCheckFailed("\n\n".join(self.problems))

    def _events_since_last_check(self) -> list[str]:
        found = []
        if self._console_errors:
            found.append("console errors:\n  " + "\n  ".join(self._console_errors))
        if self._off_host:
            found.append("requests that left 127.0.0.1:\n  " + "\n  ".join(self._off_host))
        if self._csp_violations:
            found.append(
                "Content-Security-Policy violations:\n  " + "\n  ".join(self._csp_violations)
            )
        if self._without_policy:
            found.append(
                "pages served without a Content-Security-Policy:\n  "
                + "\n  ".join(self._without_policy)
            )
        self._console_errors.clear()
        self._off_host.clear()
        self._csp_violations.clear()
        self._without_policy.clear()
        return found

    def _on_console(self, message: ConsoleMessage) -> None:
        url = message.location.get("url", "")
        if url in self._error_pages and message.text.startswith("Failed to load resource"):
            return  # the error page the journey asked for
        if message.type == "error":
            self._console_errors.append(f"{message.text} [{url}]")

    def _on_request(self, request: Request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme not in LOCAL_SCHEMES and parts.hostname != LOOPBACK:
            self._off_host.append(f"{request.method} {request.url}")

    def _on_csp_violation(self, description: str) -> None:
        self._csp_violations.append(description)

    def _on_response(self, response: Response) -> None:
        # The shop's own pages (not the Stripe simulator's 3-D Secure page, on another port).
        if (
            response.request.resource_type == "document"
            and response.url.startswith(self.base_url + "/")
            and "text/html" in response.headers.get("content-type", "")
            and "content-security-policy" not in response.headers
        ):
            self._without_policy.append(f"{response.status} {response.url}")


def serious_violations(page: Page) -> list[dict]:
    """axe-core's serious and critical violations on the page."""
    results = _axe.run(page)
    return [v for v in results.response["violations"] if v["impact"] in FAILING_IMPACTS]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"  {violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{len(violation['nodes'])} element(s)]"
        )
        for node in violation["nodes"][:5]:
            html = " ".join(node["html"].split())
            lines.append(f"    {' '.join(map(str, node['target']))}: {html[:160]}")
            summary = " ".join(node.get("failureSummary", "").split())
            if summary:
                lines.append(f"      {summary[:300]}")
    return "\n".join(lines)


def widest_elements(page: Page, width: int) -> str:
    """The elements reaching furthest right, past `width`: what makes the page scroll."""
    found = page.evaluate(
        """(limit) => [...document.querySelectorAll("body *")]
            .map((el) => [el, el.getBoundingClientRect().right])
            .filter(([, right]) => right > limit + 1)
            .sort((a, b) => b[1] - a[1])
            .slice(0, 5)
            .map(([el, right]) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
                 (typeof el.className === "string" && el.className.trim() ?
                    "." + el.className.trim().split(/\\s+/).join(".") : "") +
                 " reaches " + Math.round(right) + " px")""",
        width,
    )
    return "; ".join(found) or "no element is wider: look for an off-screen one"


# Tap targets on a phone (WCAG 2.5.5's 44 x 44 CSS px): what a thumb presses in the header and the
# page's content. A link inside a sentence is exempt (its size is the line's: WCAG 2.5.8), as is
# what is not on screen (hidden, visually hidden for screen readers, or parked off-screen).
TAP_TARGET_PX = 44
SMALL_TAP_TARGETS = """(min) => {
    const selector = "a[href], button, input[type=submit], summary, select";
    const found = [];
    for (const root of document.querySelectorAll("header.site-header, main")) {
        for (const el of root.querySelectorAll(selector)) {
            const box = el.getBoundingClientRect();
            const style = getComputedStyle(el);
            if (box.width < 2 || box.height < 2 || style.visibility === "hidden") continue;
            if (box.right <= 0 || box.bottom <= -window.scrollY) continue;
            if (el.closest("[aria-hidden=true], .sr-only, details:not([open]) > :not(summary)")) continue;
            if (style.display === "inline" && el.matches("a")) {
                // A glossary term's link (in its tooltip's wrapper, or alone when withheld) is
                // in the sentence of its block, whatever emphasis wraps it.
                const host = el.closest(".term") || el;
                const blocks = "p, li, dd, td, blockquote, figcaption";
                const block = el.matches(".term__link") ?
                    host.closest(blocks) || host.parentElement : el.parentElement;
                const around = block.textContent.replace(host.textContent, "");
                if (around.replace(/[\\s·|,/-]/g, "")) continue;  // a link in a sentence
            }
            if (Math.round(box.width) < min || Math.round(box.height) < min) {
                const text = (el.innerText || el.value || el.getAttribute("aria-label") || "")
                    .trim().replace(/\\s+/g, " ").slice(0, 40);
                const name = el.tagName.toLowerCase() +
                    (typeof el.className === "string" && el.className.trim() ?
                        "." + el.className.trim().split(/\\s+/).join(".") : "");
                found.push(`${name} "${text}" ${Math.round(box.width)}x${Math.round(box.height)}`);
            }
        }
    }
    return found;
}"""

HEADER_ROWS = """() => {
    const bar = document.querySelector(".site-header__bar");
    const parts = [...bar.children].filter((el) => !el.matches(".site-nav"))
        .concat([...bar.querySelectorAll(".site-nav li")])
        .map((el) => el.getBoundingClientRect())
        .filter((box) => box.width > 0 && box.height > 0);
    // One row: every part overlaps every other vertically.
    return Math.max(...parts.map((b) => b.top)) < Math.min(...parts.map((b) => b.bottom)) ? 1 : 2;
}"""


def small_tap_targets(page: Page) -> list[str]:
    """The header's and main content's tap targets under 44 x 44 px, as "tag.class "text" wxh"."""
    return page.evaluate(SMALL_TAP_TARGETS, TAP_TARGET_PX)


def header_rows(page: Page) -> int:
    """1 when the site header's logo, search and every navigation item sit on one row, else 2."""
    return page.evaluate(HEADER_ROWS)
