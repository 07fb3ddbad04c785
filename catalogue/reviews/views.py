"""The review pages: write a review, all of a product's reviews, one review. Oscar's views with
the product summary each page shows, only approved reviews in public, and the shop's rules for
writing: signed in unless OSCAR_ALLOW_ANON_REVIEWS, one review per account and product, at most
SHOP_REVIEWS_PER_HOUR reviews an hour (catalogue.reviews.throttle)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, ListView
from oscar.apps.catalogue.reviews import views as oscar_views
from oscar.apps.catalogue.reviews.views import *  # noqa: F403 -- the rest of Oscar's module
from oscar.core.loading import get_model

from ..consent import consent_for
from . import throttle
from .forms import SortReviewsForm
from .selectors import approved_reviews

Product = get_model("catalogue", "Product")

TOO_MANY = gettext_lazy(
    "You have sent as many reviews as we take in an hour. Please try again later: "
    "your words are still here."
)
ALREADY_REVIEWED = gettext_lazy("You have already reviewed this product.")


class ProductSummaryMixin:
    """The product each review page is about, and what its summary shows: picture, title, price."""

    def get_product(self):
        if not hasattr(self, "product"):
            self.product = get_object_or_404(
                Product.objects.select_related("parent", "product_class"),
                pk=self.kwargs["product_pk"],
                is_public=True,
            )
        return self.product

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        product = self.get_product()
        strategy = self.request.strategy
        info = (
            strategy.fetch_for_parent(product)
            if product.is_parent
            else strategy.fetch_for_product(product)
        )
        consent = consent_for(self.request)
        ctx.update(
            product=product,
            info=info,
            withheld=any(consent.withholds(p) for p in (product, product.parent) if p),
            image=product.primary_image(),
        )
        return ctx


class CreateProductReview(ProductSummaryMixin, oscar_views.CreateProductReview):
    def dispatch(self, request, *args, **kwargs):
        product = self.get_product()  # a missing product is a 404, not a sign-in page
        if not request.user.is_authenticated and not settings.OSCAR_ALLOW_ANON_REVIEWS:
            messages.info(request, _("Sign in to write a review."))
            return redirect_to_login(request.get_full_path())
        if product.has_review_by(request.user):
            messages.info(request, ALREADY_REVIEWED)
            return redirect(product.get_absolute_url())
        # Past Oscar's dispatch, which would read the product and the shopper's review again.
        return super(oscar_views.CreateProductReview, self).dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if throttle.is_over_limit(request):
            self.object = None
            form = self.get_form()
            form.add_error(None, TOO_MANY)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            with transaction.atomic():
                response = super().form_valid(form)
        except IntegrityError:  # the same account, a moment ago, in another tab
            form.add_error(None, ALREADY_REVIEWED)
            return self.form_invalid(form)
        throttle.count_review(self.request)
        return response

    def get_success_url(self):
        if self.object.is_approved:
            messages.success(self.request, _("Thank you for reviewing this product."))
        else:
            messages.success(
                self.request,
                _("Thank you! Your review will appear here once we have checked it."),
            )
        return self.product.get_absolute_url()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["is_moderated"] = settings.OSCAR_MODERATE_REVIEWS
        return ctx


class ProductReviewDetail(ProductSummaryMixin, DetailView):
    """One approved review of this product; any other id (pending, rejected, elsewhere) is a 404."""

    template_name = "oscar/catalogue/reviews/review_detail.html"
    context_object_name = "review"

    def get_queryset(self):
        return approved_reviews(self.get_product())


class ProductReviewList(ProductSummaryMixin, ListView):
    template_name = "oscar/catalogue/reviews/review_list.html"
    context_object_name = "reviews"
    paginate_by = settings.OSCAR_REVIEWS_PER_PAGE

    def get_queryset(self):
        reviews = approved_reviews(self.get_product())
        self.form = SortReviewsForm(self.request.GET)
        form = self.form
        if form.is_valid() and form.cleaned_data["sort_by"] == form.SORT_BY_RECENCY:
            return reviews.order_by("-date_created", "-pk")
        return reviews.order_by("-score", "-date_created", "-pk")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["form"] = self.form
        return ctx
