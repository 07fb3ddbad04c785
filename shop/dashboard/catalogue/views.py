"""Dashboard pages for franchises (their characters edited inline) and content warnings.

Oscar's product views are not overridden: they load forms.ProductForm through get_class.
"""

from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import generic
from oscar.core.loading import get_classes, get_model

from catalogue.services import save_content_warning

Franchise = get_model("catalogue", "Franchise")
ContentWarning = get_model("catalogue", "ContentWarning")
FranchiseForm, CharacterFormSet, ContentWarningForm = get_classes(
    "dashboard.catalogue.forms", ("FranchiseForm", "CharacterFormSet", "ContentWarningForm")
)

INVALID_MESSAGE = _("Your submitted data was not valid - please correct the errors below")


class TaxonomyPageMixin:
    """Names the list page the form and delete pages of a franchise or warning lead back to."""

    list_url_name: str

    def get_success_url(self):
        return reverse(self.list_url_name)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["list_url"] = reverse(self.list_url_name)
        ctx["list_title"] = self.model._meta.verbose_name_plural
        ctx["verbose_name"] = self.model._meta.verbose_name
        return ctx


class TaxonomyListView(generic.ListView):
    """A list page of franchises or warnings, with its "Create new" button (taxonomy_list.html)."""

    create_url_name: str

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["list_title"] = self.model._meta.verbose_name_plural
        ctx["verbose_name"] = self.model._meta.verbose_name
        ctx["create_url"] = reverse(self.create_url_name)
        return ctx


class FranchiseListView(TaxonomyListView):
    template_name = "oscar/dashboard/catalogue/franchise_list.html"
    model = Franchise
    create_url_name = "dashboard:catalogue-franchise-create"
    queryset = Franchise.objects.annotate(
        num_characters=Count("characters", distinct=True),
        num_products=Count("products", distinct=True),
    )


class FranchiseCreateUpdateView(TaxonomyPageMixin, generic.UpdateView):
    """The franchise and its characters in one form, validated and saved together."""

    template_name = "oscar/dashboard/catalogue/franchise_form.html"
    model = Franchise
    form_class = FranchiseForm
    list_url_name = "dashboard:catalogue-franchise-list"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = self.get_title()
        ctx.setdefault("character_formset", CharacterFormSet(instance=self.object))
        return ctx

    def form_valid(self, form):
        return self.process_all_forms(form)

    def form_invalid(self, form):
        return self.process_all_forms(form)

    def process_all_forms(self, form):
        # Bound to the unsaved franchise when creating, so nothing is written unless all is valid.
        formset = CharacterFormSet(
            self.request.POST, instance=form.instance if form.is_valid() else self.object
        )
        if form.is_valid() and formset.is_valid():
            self.object = form.save()
            formset.instance = self.object
            formset.save()
            messages.success(self.request, self.success_message % {"name": self.object.name})
            return HttpResponseRedirect(self.get_success_url())
        messages.error(self.request, INVALID_MESSAGE)
        return self.render_to_response(self.get_context_data(form=form, character_formset=formset))


class FranchiseCreateView(FranchiseCreateUpdateView):
    success_message = _("Franchise “%(name)s” created")

    def get_object(self, queryset=None):
        return None

    def get_title(self):
        return _("Add a new franchise")


class FranchiseUpdateView(FranchiseCreateUpdateView):
    success_message = _("Franchise “%(name)s” updated")

    def get_title(self):
        return _("Update franchise “%s”") % self.object.name


class TaxonomyDeleteView(TaxonomyPageMixin, generic.DeleteView):
    """Deleting a franchise or warning untags its products; the page says how many first."""

    template_name = "oscar/dashboard/catalogue/taxonomy_delete.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = _("Delete “%s”?") % self.object
        ctx["num_products"] = self.object.products.count()
        return ctx

    def get_success_url(self):
        messages.info(self.request, _("“%s” deleted") % self.object)
        return super().get_success_url()


class FranchiseDeleteView(TaxonomyDeleteView):
    model = Franchise
    list_url_name = "dashboard:catalogue-franchise-list"


class ContentWarningListView(TaxonomyListView):
    template_name = "oscar/dashboard/catalogue/content_warning_list.html"
    model = ContentWarning
    create_url_name = "dashboard:catalogue-content-warning-create"
    queryset = ContentWarning.objects.annotate(num_products=Count("products"))


class ContentWarningCreateUpdateView(TaxonomyPageMixin, generic.UpdateView):
    template_name = "oscar/dashboard/catalogue/taxonomy_form.html"
    model = ContentWarning
    form_class = ContentWarningForm
    list_url_name = "dashboard:catalogue-content-warning-list"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = self.get_title()
        return ctx

    def form_valid(self, form):
        # The level change is recorded with the save, in one transaction (catalogue.services).
        self.object = save_content_warning(form.save(commit=False), by=self.request.user)
        messages.success(self.request, self.success_message % {"name": self.object.name})
        return HttpResponseRedirect(self.get_success_url())

    def form_invalid(self, form):
        messages.error(self.request, INVALID_MESSAGE)
        return super().form_invalid(form)


class ContentWarningCreateView(ContentWarningCreateUpdateView):
    success_message = _("Content warning “%(name)s” created")

    def get_object(self, queryset=None):
        return None

    def get_title(self):
        return _("Add a new content warning")


class ContentWarningUpdateView(ContentWarningCreateUpdateView):
    """The warning's form, with the record of its level changes under it."""

    template_name = "oscar/dashboard/catalogue/content_warning_form.html"
    success_message = _("Content warning “%(name)s” updated")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["level_changes"] = self.object.level_changes.select_related("changed_by")
        return ctx

    def get_title(self):
        return _("Update content warning “%s”") % self.object.name


class ContentWarningDeleteView(TaxonomyDeleteView):
    model = ContentWarning
    list_url_name = "dashboard:catalogue-content-warning-list"
