"""Oscar's review moderation views (found through the "dashboard" app label), with the bulk
status change refusing a missing or unknown status instead of failing with a server error."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from oscar.apps.dashboard.reviews import views as oscar_views
from oscar.apps.dashboard.reviews.views import *  # noqa: F403 -- the rest of Oscar's module
from oscar.core.loading import get_model

ProductReview = get_model("reviews", "ProductReview")


class ReviewListView(oscar_views.ReviewListView):
    def update_selected_review_status(self, request, reviews):
        status = request.POST.get("status", "")
        if status not in {str(value) for value, _label in ProductReview.STATUS_CHOICES}:
            messages.error(request, _("Choose the status to give the selected reviews."))
            return redirect("dashboard:reviews-list")
        return super().update_selected_review_status(request, reviews)
