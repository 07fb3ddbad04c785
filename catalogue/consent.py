"""The one content-warning rule, and what a shopper has chosen under it.

Content behind a mature or adult warning (a product's pictures and description, an article's text)
is withheld until the shopper chooses to see mature content: one choice for products and articles
alike. Adult (18+) items also need a one-time age confirmation before they go in the basket.

The choice lives in the session (read with the session, no extra query) and, for signed-in
shoppers, on their account (catalogue.ContentConsent), which is copied into the session at login.
Everything that shows or hides warned content asks this module: the product page, listings and
their tiles, article pages and cards, the feeds, and the page cache (`Consent.vary_key`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone
from oscar.core.loading import get_model

ContentConsent = get_model("catalogue", "ContentConsent")
ContentWarning = get_model("catalogue", "ContentWarning")

SESSION_KEY = "content_consent"
REQUEST_ATTRIBUTE = "_content_consent"  # read once per request: every tile of a listing asks
# The lowest level whose content is withheld until the shopper chooses to see it.
GATED_FROM = ContentWarning.Level.MATURE


def is_gated(level: int) -> bool:
    """Is content at this warning level withheld until the shopper chooses to see it?"""
    return level >= GATED_FROM


def gated_warnings(warnings: Iterable) -> list:
    """The warnings that withhold content (mature and adult), in the order given."""
    return [warning for warning in warnings if is_gated(warning.level)]


@dataclass(frozen=True)
class Consent:
    shows_mature: bool = False
    is_adult_confirmed: bool = False

    def allows(self, level: int) -> bool:
        return self.shows_mature or not is_gated(level)

    def withholds(self, product) -> bool:
        """True when the product's images are blurred and its description left out of the page."""
        return not self.allows(product.warning_level)

    def withholds_any(self, warnings: Iterable) -> bool:
        """True when content carrying these warnings (an article) stays behind its warning."""
        return not self.allows(max((warning.level for warning in warnings), default=0))

    def blocks_purchase(self, product) -> bool:
        return product.is_adult and not self.is_adult_confirmed

    @property
    def vary_key(self) -> str:
        """What a cached page must vary on: two pages look alike for shoppers with the same key."""
        return f"mature={int(self.shows_mature)};adult={int(self.is_adult_confirmed)}"


def consent_for(request) -> Consent:
    """The shopper's choice; nothing chosen without a request (e.g. a template with no request)."""
    if request is None:
        return Consent()
    consent = getattr(request, REQUEST_ATTRIBUTE, None)
    if consent is None:
        stored = request.session.get(SESSION_KEY) or {}
        consent = Consent(
            shows_mature=bool(stored.get("shows_mature")),
            is_adult_confirmed=bool(stored.get("is_adult_confirmed")),
        )
        setattr(request, REQUEST_ATTRIBUTE, consent)
    return consent


def record_consent(request, *, shows_mature: bool | None = None, confirms_adult: bool = False):
    """Remember a choice for this session and, when signed in, on the account."""
    current = consent_for(request)
    consent = Consent(
        shows_mature=current.shows_mature if shows_mature is None else shows_mature,
        is_adult_confirmed=current.is_adult_confirmed or confirms_adult,
    )
    request.session[SESSION_KEY] = {
        "shows_mature": consent.shows_mature,
        "is_adult_confirmed": consent.is_adult_confirmed,
    }
    setattr(request, REQUEST_ATTRIBUTE, consent)
    if request.user.is_authenticated:
        defaults = {"shows_mature": consent.shows_mature}
        if confirms_adult:
            defaults["adult_confirmed_at"] = timezone.now()
        ContentConsent.objects.update_or_create(user=request.user, defaults=defaults)
    return consent


def restore_consent(request, user) -> None:
    """At login: the account's choice wins over what the anonymous session had."""
    saved = ContentConsent.objects.filter(user=user).first()
    if saved is not None:
        request.session[SESSION_KEY] = {
            "shows_mature": saved.shows_mature,
            "is_adult_confirmed": saved.adult_confirmed_at is not None,
        }
        if hasattr(request, REQUEST_ATTRIBUTE):
            delattr(request, REQUEST_ATTRIBUTE)
