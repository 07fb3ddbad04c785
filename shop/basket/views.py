"""Basket views: Oscar's, with the shopper's content consent handed to the add-to-basket form, a
basket form that a hand-made POST cannot turn into a 500, and back to `next` or the page that posted
only when it is a page of this site over the same scheme (catalogue.redirects; Oscar's own check
allows an https page to send the shopper to http). An add puts on the line the article that sent
the shopper to the product (blog.attribution)."""

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import router, transaction
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from oscar.apps.basket import views as oscar_views
from oscar.core.loading import get_model
from oscar.core.utils import redirect_to_referrer

from blog import attribution
from catalogue.buying import remember_added
from catalogue.consent import consent_for
from catalogue.redirects import next_url

from .forms import ADULT_UNCONFIRMED
from .models import Statement, knowing_stockrecords

Basket = get_model("basket", "Basket")
Line = get_model("basket", "Line")
Option = get_model("catalogue", "Option")
StockRecord = get_model("partner", "StockRecord")


class SavedView(oscar_views.SavedView):
    def get_success_url(self):
        return next_url(self.request, default="basket:summary")


class BasketAddView(oscar_views.BasketAddView):
    def post(self, request, *args, **kwargs):
        # Oscar's, with what the form and the basket read of the product in the same breath:
        # its class (stock tracking), whether it has options (the annotations Oscar's
        # `has_options` reads) and its stock records (the price, the stock). The product's SQL is
        # compiled once per process (shop.basket.models.Statement): building it, with its two
        # subqueries, was a sixth of an add's Python.
        self.product = self.product_to_add(kwargs["pk"])
        return super(oscar_views.BasketAddView, self).post(request, *args, **kwargs)

    def product_to_add(self, pk: int):
        model = self.product_model
        using = router.db_for_read(model)
        statement = Statement.compiled(
            ("product to add", using),
            lambda: (
                model._default_manager.using(using)
                .select_related("product_class")
                .annotate(
                    has_product_class_options=Exists(
                        Option.objects.filter(productclass=OuterRef("product_class"))
                    ),
                    has_product_options=Exists(Option.objects.filter(product=OuterRef("pk"))),
                )
                .filter(pk=Statement.PLACEHOLDER)
            ),
        )
        found = statement.run(pk)
        if not found:
            raise Http404(_("No product matches the given query."))
        product = found[0]
        # Its stock records by SQL compiled once per process too: Django's prefetch built and
        # compiled the query on every add, a tenth of an add's Python.
        stockrecords = StockRecord._default_manager.db_manager(using)
        records = Statement.compiled(
            ("stock records to add", using),
            lambda: stockrecords.filter(product_id=Statement.PLACEHOLDER).order_by("pk"),
        )
        knowing_stockrecords(product, records.run(product.pk))
        return product

    def get_success_url(self):
        return next_url(self.request, default="basket:summary")

    def form_valid(self, form):
        if not self.request.basket.lock_for_edit():
            return basket_just_ordered(
                self.request,
                _("%(title)s was not added: your basket was ordered in another tab meanwhile.")
                % {"title": form.product.get_title()},
            )
        response = super().form_valid(form)
        self.attribute(form.product)
        # The page the shopper goes back to (an article) confirms the add beside the product's card.
        remember_added(self.request, form.product, back_to=response.url)
        return response

    def attribute(self, product) -> None:
        """Last article wins: the one whose card posted the add, else the one that last sent the
        shopper to this product. None found: the line keeps what it had."""
        request = self.request
        post_id = attribution.posted(product, request.POST.get("article"))
        post_id = post_id or attribution.article_for(request, product)
        if post_id is None:
            return
        attribution.record_add(request, post_id=post_id, product=product)
        Line.objects.filter(pk=self.line.pk).update(post_id=post_id)
        self.line.post_id = post_id

    def sold_out(self) -> bool:
        info = self.request.strategy.fetch_for_product(self.product)
        return not info.availability.is_available_to_buy

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["consent"] = consent_for(self.request)
        return kwargs

    def form_invalid(self, form):
        if not form.has_error(NON_FIELD_ERRORS, ADULT_UNCONFIRMED) and self.sold_out():
            # Oscar keeps the POST so that the product page shows the form again, but a sold-out
            # product's page has none. Kept, it wrote a session for every shopper a drop's
            # sell-out turned away; the message alone fits in its cookie.
            messages.error(self.request, refusal(form))
            return redirect_to_referrer(self.request, "basket:summary")
        response = super().form_invalid(form)  # the message and the kept POST data are Oscar's
        if form.has_error(NON_FIELD_ERRORS, ADULT_UNCONFIRMED):
            # Oscar keeps the POST to re-show the form with its errors; here the message says it
            # all, and the 18+ confirmation form is on the product page, wherever the add came from.
            self.request.session.pop(f"add_to_basket_form_post_data_{self.product.pk}", None)
            return HttpResponseRedirect(self.product.get_absolute_url())
        return response


def refusal(form) -> str:
    """Oscar's message for a refused add: the form's errors, one after another."""
    errors = (error.as_text() for error in form.errors.values())
    return ",".join(e.replace("* ", "") for e in errors if e.startswith("* "))


# Showing the basket writes nothing, so it needs no transaction (SQLite's IMMEDIATE mode would
# queue every view for the write lock); a change is one transaction, as ATOMIC_REQUESTS made it.
@method_decorator(transaction.non_atomic_requests, name="dispatch")
class BasketView(oscar_views.BasketView):
    def post(self, request, *args, **kwargs):
        with transaction.atomic():
            return super().post(request, *args, **kwargs)

    def get_success_url(self):
        return next_url(self.request, default="basket:summary")

    @property
    def basket_model(self):
        # Oscar looks the saved basket up with `basket_model.saved.get(owner=...)`; the basket
        # middleware read it with the open one (shop/basket/middleware.py).
        return SavedBasketLoaded(self.request)

    def get_default_shipping_address(self):
        return None  # the shop's shipping methods and charges do not depend on the address

    def formset_valid(self, formset):
        if not self.request.basket.lock_for_edit():
            return basket_just_ordered(
                self.request,
                _("Your changes were not saved: your basket was ordered in another tab meanwhile."),
            )
        return super().formset_valid(formset)

    def remove_deleted_forms(self, formset):
        # Oscar copies each management field back from the POST, and a POST without
        # MIN_NUM_FORMS or MAX_NUM_FORMS (the browser always sends them; a script need not) was a
        # KeyError. Both are optional to the formset itself.
        data = formset.data.copy()
        for name in formset.management_form.fields:
            data.setdefault(formset.management_form.add_prefix(name), "")
        formset.data = data
        super().remove_deleted_forms(formset)


def basket_just_ordered(request, message: str):
    """An edit that lost the race with "Place order": say so, and show the order's new basket."""
    messages.error(request, message + " " + _("Please check your order and basket."))
    return redirect("basket:summary")


class SavedBasketLoaded:
    """The signed-in shopper's saved basket as the middleware read it, behind Oscar's lookup."""

    DoesNotExist = Basket.DoesNotExist

    def __init__(self, request):
        self.saved = self
        self.request = request

    def get(self, owner):
        if not hasattr(self.request, "saved_basket"):  # the middleware left the basket to Oscar
            return Basket.saved.get(owner=owner)
        if self.request.saved_basket is None:
            raise Basket.DoesNotExist
        return self.request.saved_basket
