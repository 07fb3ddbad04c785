"""The shopper's content choices as POST-only views: show or hide mature content, confirm 18+.

What is remembered, and where, is catalogue.consent's business; these views only parse and redirect.
"""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import View

from .consent import record_consent


def safe_next_url(request) -> str:
    """Where to go back to: `next`, else the page that posted (the product), else home.

    Neither is followed off this site: both come from the browser.
    """
    for candidate in (request.POST.get("next"), request.META.get("HTTP_REFERER")):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
    return reverse("home")


class ContentConsentView(View):
    """Show mature content (`shows_mature=1`) or hide it again (`shows_mature=0`)."""

    http_method_names = ["post"]

    def post(self, request):
        record_consent(request, shows_mature=request.POST.get("shows_mature") == "1")
        return HttpResponseRedirect(safe_next_url(request))


class ConfirmAdultView(View):
    """The one-time "I am 18 or older" confirmation that adult items need before the basket."""

    http_method_names = ["post"]
    success_message = _("Thank you. You can now add 18+ items to your basket.")

    def post(self, request):
        record_consent(request, confirms_adult=True)
        messages.success(request, self.success_message)
        return HttpResponseRedirect(safe_next_url(request))
