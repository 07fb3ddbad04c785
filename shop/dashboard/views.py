"""The dashboard home: the shop's figures for staff who may see sales, a way on for the rest.

Oscar's home shows revenue, orders, customers and stock alerts to anyone with `is_staff`; a blog
editor is staff (the admin needs it) and must not see them.
"""

from oscar.apps.dashboard import views


class IndexView(views.IndexView):
    def shows_figures(self) -> bool:
        user = self.request.user
        # Partner users (not staff) see their own partner's figures, which Oscar filters.
        return not user.is_staff or user.has_perm("order.view_order")

    def get_template_names(self):
        if self.shows_figures():
            return super().get_template_names()
        return ["oscar/dashboard/index_without_figures.html"]

    def get_stats(self):
        return super().get_stats() if self.shows_figures() else {}
