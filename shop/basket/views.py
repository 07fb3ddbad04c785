"""Basket views: Oscar's, with the shopper's content consent handed to the add-to-basket form, and
back to `next` or the page that posted only when it is a page of this site over the same scheme
(catalogue.redirects; Oscar's own check allows an https page to send the shopper to http)."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpResponseRedirect
from oscar.apps.basket import views as oscar_views

from catalogue.consent import consent_for
from catalogue.redirects import next_url

from .forms import ADULT_UNCONFIRMED


class BasketView(oscar_views.BasketView):
    def get_success_url(self):
        return next_url(self.request, default="basket:summary")


class SavedView(oscar_views.SavedView):
    def get_success_url(self):
        return next_url(self.request, default="basket:summary")


class BasketAddView(oscar_views.BasketAddView):
    def get_success_url(self):
        return next_url(self.request, default="basket:summary")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["consent"] = consent_for(self.request)
        return kwargs

    def form_invalid(self, form):
        response = super().form_invalid(form)  # the message and the kept POST data are Oscar's
        if form.has_error(NON_FIELD_ERRORS, ADULT_UNCONFIRMED):
            # Oscar keeps the POST to re-show the form with its errors; here the message says it
            # all, and the 18+ confirmation form is on the product page, wherever the add came from.
            self.request.session.pop(f"add_to_basket_form_post_data_{self.product.pk}", None)
            return HttpResponseRedirect(self.product.get_absolute_url())
        return response
