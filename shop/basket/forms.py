"""Add-to-basket forms that refuse adult items until the shopper has confirmed 18+ (catalogue.consent).

Every add goes through AddToBasketForm.clean(), so the rule holds for any POST to basket:add,
not only for the buttons the templates render.
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from oscar.apps.basket import forms as oscar_forms

from catalogue.consent import Consent

ADULT_UNCONFIRMED = "adult_unconfirmed"


class AddToBasketForm(oscar_forms.AddToBasketForm):
    def __init__(self, basket, product, *args, consent: Consent | None = None, **kwargs):
        # Oscar's basket_form template tag builds this form without a request: with no consent
        # given, nothing is confirmed, so a form that is somehow submitted unbound still refuses.
        self.consent = consent or Consent()
        super().__init__(basket, product, *args, **kwargs)

    def clean(self):
        # The parent carries a variant's warnings; a variant may also carry its own.
        if self.consent.blocks_purchase(self.parent_product) or self.consent.blocks_purchase(
            self.product
        ):
            raise forms.ValidationError(
                _(
                    "“%(title)s” is for adults only. Please confirm you are 18 or older on "
                    "its page, then add it to your basket."
                )
                % {"title": self.parent_product.get_title()},
                code=ADULT_UNCONFIRMED,
            )
        return super().clean()

    def cleaned_options(self):
        # Oscar's reads the product's options even when it has none; `has_options` is known.
        return super().cleaned_options() if self.parent_product.has_options else []


class SimpleAddToBasketForm(oscar_forms.SimpleAddToBasketMixin, AddToBasketForm):
    """Oscar's one-click form, rebuilt on the form above as Oscar's docstring asks of forks."""


class BasketLineForm(oscar_forms.BasketLineForm):
    """Oscar's basket line form; its quantity box gets a name screen readers can announce."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quantity"].widget.attrs["aria-label"] = _("Quantity")
