"""Dashboard forms for the anime-merch taxonomy: franchises with their characters, content warnings,
and Oscar's product form with the franchise, characters and warnings a product points at; Oscar's
stock record form, saving only what staff changed.
"""

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _
from oscar.apps.dashboard.catalogue import forms as oscar_forms
from oscar.core.loading import get_model
from oscar.core.utils import slugify

from catalogue.text_linkers import EditsTextUnlinked
from shop.stock import save_stock_edit

Franchise = get_model("catalogue", "Franchise")
Character = get_model("catalogue", "Character")
ContentWarning = get_model("catalogue", "ContentWarning")


class SlugFromNameMixin:
    """A blank slug is made from the name, as Oscar's product and category forms do."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["slug"].help_text = _("Leave blank to generate from the name")

    def clean(self):
        cleaned_data = super().clean()
        if not cleaned_data.get("slug") and cleaned_data.get("name"):
            cleaned_data["slug"] = slugify(cleaned_data["name"])
        return cleaned_data


class ProductForm(EditsTextUnlinked, oscar_forms.ProductForm):
    class Meta(oscar_forms.ProductForm.Meta):
        fields = [
            *oscar_forms.ProductForm.Meta.fields,
            "franchise",
            "characters",
            "content_warnings",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "characters" in self.fields:
            # A character's label names its franchise: one query, not one per option.
            self.fields["characters"].queryset = Character.objects.select_related("franchise")
            self.fields["characters"].help_text = _(
                "Only characters of the chosen franchise can be picked."
            )

    def clean(self):
        cleaned_data = super().clean()
        franchise = cleaned_data.get("franchise")
        strays = [
            character
            for character in cleaned_data.get("characters") or []
            if franchise is None or character.franchise_id != franchise.pk
        ]
        if strays:
            self.add_error(
                "characters",
                _("%(characters)s not of the franchise “%(franchise)s”.")
                % {
                    "characters": ", ".join(character.name for character in strays),
                    "franchise": franchise or _("none chosen"),
                },
            )
        return cleaned_data


class StockRecordForm(oscar_forms.StockRecordForm):
    """Oscar's stock form (no `num_allocated` field), picked up by Oscar's product formset. A
    checkout may allocate between the POST reading the record and saving it: save what changed."""

    def save(self, commit=True):
        if not commit or self.instance._state.adding:
            return super().save(commit)
        save_stock_edit(self.instance, changed=self.changed_data)
        return self.instance


class FranchiseForm(EditsTextUnlinked, SlugFromNameMixin, forms.ModelForm):
    class Meta:
        model = Franchise
        fields = ["name", "slug", "description"]


class CharacterForm(SlugFromNameMixin, forms.ModelForm):
    class Meta:
        model = Character
        fields = ["name", "slug"]


CharacterFormSet = inlineformset_factory(
    Franchise, Character, form=CharacterForm, extra=3, can_delete=True
)


class ContentWarningForm(SlugFromNameMixin, forms.ModelForm):
    class Meta:
        model = ContentWarning
        fields = ["name", "slug", "level", "explanation"]
        widgets = {"explanation": forms.Textarea(attrs={"rows": 3, "class": "no-widget-init"})}
