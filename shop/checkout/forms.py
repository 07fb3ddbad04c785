"""The checkout's one page before payment: a guest's e-mail, the address and the delivery method.

Oscar asks for these on three pages (its gateway, the address, the shipping method), each a
round trip for the shopper and a request for the server. `ShippingDetailsForm` is Oscar's
shipping-address form with the other two asked on the same page:
- the e-mail only of a guest: a signed-in customer's is known, and a guest who gave it at
  Oscar's gateway finds it filled in;
- the method as radio buttons, the first one chosen, as on Oscar's own method page. A post
  without a method (an older page, a client that asks for the method page) still goes on to
  Oscar's method page.
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from oscar.apps.checkout.forms import ShippingAddressForm
from oscar.apps.customer.utils import normalise_email

# Fields of the page that are not part of the address (the template lays them out apart).
EMAIL, METHOD = "email", "method_code"


class ShippingDetailsForm(ShippingAddressForm):
    def __init__(self, *args, guest: bool = False, email_known: bool = False, methods=(), **kwargs):
        super().__init__(*args, **kwargs)
        if guest:
            # Given already (Oscar's gateway): a post without it keeps that one.
            self.fields[EMAIL] = forms.EmailField(
                label=_("Your e-mail address"),
                help_text=_("We send your order confirmation here."),
                required=not email_known,
            )
        self.methods = list(methods)
        if self.methods:
            self.fields[METHOD] = forms.ChoiceField(
                label=_("Delivery"),
                choices=[(method.code, method.name) for method in self.methods],
                widget=forms.RadioSelect,
                required=False,
            )

    def clean_email(self) -> str:
        email = self.cleaned_data[EMAIL]
        return normalise_email(email) if email else email

    def address_fields(self) -> list[forms.BoundField]:
        return [field for field in self if field.name not in (EMAIL, METHOD)]
