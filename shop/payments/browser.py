"""What the payment page's browser may load, frame and talk to, per mode (settings.STRIPE_MODE).

Real keys: Stripe.js from js.stripe.com, its frames, api.stripe.com, and the 3-D Secure page at
hooks.stripe.com, which "Place order" redirects to (a form's redirect is bound by form-action).
Simulator: the stand-in Stripe.js is ours, and posts to the simulator, whose 3-D Secure page the
shopper is redirected to. Off: nothing. shop.browser_policy adds these to every page's policy.
"""

from urllib.parse import urlsplit

from django.conf import settings

STRIPE_JS = "https://js.stripe.com"
STRIPE_ORIGINS = {
    "script-src": [STRIPE_JS, "https://*.js.stripe.com"],
    "frame-src": [STRIPE_JS, "https://*.js.stripe.com", "https://hooks.stripe.com"],
    "connect-src": ["https://api.stripe.com"],
    "img-src": ["https://*.stripe.com"],
    "form-action": ["https://hooks.stripe.com"],
}


def policy_sources() -> dict[str, list[str]]:
    """Sources to add to the Content-Security-Policy, by directive."""
    if settings.STRIPE_MODE == "stripe":
        return STRIPE_ORIGINS
    if settings.STRIPE_MODE == "simulator":
        parts = urlsplit(settings.STRIPE_SIMULATOR_URL)
        simulator = f"{parts.scheme}://{parts.netloc}"
        return {"connect-src": [simulator], "form-action": [simulator]}
    return {}


def payment_allowlist() -> str:
    """Who may use the Payment Request API (Permissions-Policy `payment`): Stripe.js's frames
    with real keys (wallets such as Apple Pay and Google Pay), nobody otherwise."""
    return f'(self "{STRIPE_JS}")' if settings.STRIPE_MODE == "stripe" else "()"
