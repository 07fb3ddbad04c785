"""The site-wide search box and the sort choice shared by every product listing."""

from django import forms
from django.utils.translation import gettext_lazy as _


class SearchForm(forms.Form):
    NEWEST = "newest"
    PRICE_LOW_TO_HIGH = "price-asc"
    PRICE_HIGH_TO_LOW = "price-desc"
    TITLE_A_TO_Z = "title-asc"
    SORT_BY_CHOICES = [
        (NEWEST, _("Newest")),
        (PRICE_LOW_TO_HIGH, _("Price: low to high")),
        (PRICE_HIGH_TO_LOW, _("Price: high to low")),
        (TITLE_A_TO_Z, _("Name: A to Z")),
    ]

    MAX_QUERY_LENGTH = 200

    q = forms.CharField(
        required=False,
        label=_("Search"),
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Search pins, stickers, series…"),
                "maxlength": MAX_QUERY_LENGTH,
            }
        ),
    )
    sort_by = forms.ChoiceField(
        required=False, choices=SORT_BY_CHOICES, label=_("Sort by"), initial=NEWEST
    )

    def cleaned_or_default(self) -> dict:
        """The usable part of the query string: a long query is cut, an unknown sort ignored."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "q": data.get("q", "").strip()[: self.MAX_QUERY_LENGTH],
            "sort_by": data.get("sort_by") or self.NEWEST,
        }
