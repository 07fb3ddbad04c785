"""What a shopper has chosen to see: mature/adult content revealed, 18+ confirmed.

The choice lives in the session (read with the session, no extra query) and, for signed-in
shoppers, on their account (catalogue.ContentConsent), which is copied into the session at login.
"""

from dataclasses import dataclass

from django.utils import timezone
from oscar.core.loading import get_model

ContentConsent = get_model("catalogue", "ContentConsent")

SESSION_KEY = "content_consent"


@dataclass(frozen=True)
class Consent:
    shows_mature: bool = False
    is_adult_confirmed: bool = False

    def withholds(self, product) -> bool:
        """True when the product's images are blurred and its description left out of the page."""
        return product.is_withheld_by_default and not self.shows_mature

    def blocks_purchase(self, product) -> bool:
        return product.is_adult and not self.is_adult_confirmed


def consent_for(request) -> Consent:
    stored = request.session.get(SESSION_KEY) or {}
    return Consent(
        shows_mature=bool(stored.get("shows_mature")),
        is_adult_confirmed=bool(stored.get("is_adult_confirmed")),
    )


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
