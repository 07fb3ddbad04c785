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
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from oscar.apps.checkout.forms import ShippingAddressForm
from oscar.apps.customer.utils import normalise_email
from oscar.core.loading import get_model

Country = get_model("address", "Country")

# Fields of the page that are not part of the address (the template lays them out apart).
EMAIL, METHOD, COUNTRY = "email", "method_code", "country"


class ShippingCountryField(forms.ModelChoiceField):
    """The country, found among the shipping countries the form has read (`listed`, by code)
    instead of asked of the database again; a code not among them is refused as Django refuses
    a choice not in the queryset."""

    listed: dict[str, Country] | None = None

    def to_python(self, value):
        if self.listed is None or value in self.empty_values:
            return super().to_python(value)
        code = value.pk if isinstance(value, Country) else str(value)
        if code not in self.listed:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return self.listed[code]


class ShippingDetailsForm(ShippingAddressForm):
    class Meta(ShippingAddressForm.Meta):
        field_classes = {COUNTRY: ShippingCountryField}

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

    def adjust_country_field(self) -> None:
        """Oscar's (the only country to ship to is filled in; else the choice lists them), with
        the countries read once: the post's country is looked up in that list."""
        shipping = Country._default_manager.filter(is_shipping_country=True)
        countries = list(shipping)
        if len(countries) == 1:
            self.fields.pop(COUNTRY, None)
            self.instance.country = countries[0]
            return
        field = self.fields[COUNTRY]
        field.queryset = shipping  # the choices shown (a copy, read when the page is rendered)
        field.empty_label = None
        field.listed = {country.pk: country for country in countries}

    def _get_validation_exclusions(self):
        # The model's check that the country exists would read it a third time; it was just
        # found among the shipping countries, a stricter check.
        exclusions = super()._get_validation_exclusions()
        if getattr(self.fields.get(COUNTRY), "listed", None) is not None:
            exclusions.add(COUNTRY)
        return exclusions

    def clean_email(self) -> str:
        email = self.cleaned_data[EMAIL]
        return normalise_email(email) if email else email

    def address_fields(self) -> list[forms.BoundField]:
        return [field for field in self if field.name not in (EMAIL, METHOD)]
