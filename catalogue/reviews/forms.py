"""The review form: a score of one to five stars, a title, plain-text words; a name and an e-mail
address only from shoppers who are not signed in. Everything else is Oscar's, re-exported."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from oscar.apps.catalogue.reviews import forms as oscar_forms
from oscar.apps.catalogue.reviews.forms import *  # noqa: F403 -- the rest of Oscar's module

SCORES = [(n, ngettext_lazy("%(n)d star", "%(n)d stars", n) % {"n": n}) for n in range(1, 6)]
BODY_MAX_LENGTH = 5000


class ProductReviewForm(oscar_forms.ProductReviewForm):
    score = forms.TypedChoiceField(
        label=_("Your rating"),
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a rating from 1 to 5 stars.")},
    )
    body = forms.CharField(
        label=_("Your review"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Plain text: what you liked, and what you did not."),
        error_messages={"required": _("Write a few words about the item.")},
    )

    def __init__(self, product, *args, user=None, **kwargs):
        super().__init__(product, *args, user=user, **kwargs)
        self.fields["title"].error_messages["required"] = _("Give your review a title.")
        if "email" in self.fields:
            self.fields["email"].help_text = _("Never shown; only for us to contact you.")

    def _post_clean(self):
        super()._post_clean()
        # Oscar's model repeats "name and email required" where those fields already say so.
        if "name" in self.fields and (self.has_error("name") or self.has_error("email")):
            self.errors.pop(NON_FIELD_ERRORS, None)
