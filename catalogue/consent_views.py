"""The shopper's content choices as POST-only views: show or hide mature content, confirm 18+.

What is remembered, and where, is catalogue.consent's business; these views only parse and redirect
(back to `next` or the page that posted, when on this site: catalogue.redirects).
"""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from django.views import View

from .consent import record_consent
from .redirects import next_url


class ContentConsentView(View):
    """Show mature content (`shows_mature=1`) or hide it again (`shows_mature=0`)."""

    http_method_names = ["post"]

    def post(self, request):
        record_consent(request, shows_mature=request.POST.get("shows_mature") == "1")
        return HttpResponseRedirect(next_url(request, default="home"))


class ConfirmAdultView(View):
    """The one-time "I am 18 or older" confirmation that adult items need before the basket."""

    http_method_names = ["post"]
    success_message = _("Thank you. You can now add 18+ items to your basket.")

    def post(self, request):
        record_consent(request, confirms_adult=True)
        messages.success(request, self.success_message)
        return HttpResponseRedirect(next_url(request, default="home"))
