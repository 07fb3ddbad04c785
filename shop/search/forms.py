"""The site-wide search box and the sort choice shared by every product listing."""

from django import forms
from django.utils.translation import gettext_lazy as _

from catalogue import parsing


class SearchForm(forms.Form):
    RELEVANCE = "relevance"
    NEWEST = "newest"
    BEST_SELLING = "best-selling"
    PRICE_LOW_TO_HIGH = "price-asc"
    PRICE_HIGH_TO_LOW = "price-desc"
    TITLE_A_TO_Z = "title-asc"
    SORT_BY_CHOICES = [
        (RELEVANCE, _("Best match")),
        (NEWEST, _("Newest")),
        (BEST_SELLING, _("Best-selling")),
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
    sort_by = forms.ChoiceField(required=False, choices=SORT_BY_CHOICES, label=_("Sort by"))

    def cleaned_or_default(self) -> dict:
        """The usable part of the query string: a long query is cut, an unknown sort ignored.

        Relevance is the default, and only a choice, when there is something to be relevant to.
        """
        q = parsing.parse_text(self.data.get("q"), max_length=self.MAX_QUERY_LENGTH)
        sort_by = parsing.parse_choice(self.data.get("sort_by"), dict(self.SORT_BY_CHOICES))
        sort_by = sort_by or (self.RELEVANCE if q else self.NEWEST)
        if sort_by == self.RELEVANCE and not q:
            sort_by = self.NEWEST
        return {"q": q, "sort_by": sort_by}

    @classmethod
    def sort_choices(cls, *, has_query: bool) -> list:
        return [c for c in cls.SORT_BY_CHOICES if has_query or c[0] != cls.RELEVANCE]
