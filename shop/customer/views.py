"""Stock alerts are cancelled from e-mailed links (by key) and from the account page (by pk).
Oscar follows their `?next=` unchecked, an open redirect (anyone gets a key by making an alert for
their own address); here `next` is followed only to a page of this site, else to the product page.
"""

from oscar.apps.customer.alerts import views as oscar_alert_views

from catalogue.redirects import next_url


class ProductAlertCancelView(oscar_alert_views.ProductAlertCancelView):
    def get_redirect_url(self, *args, **kwargs):
        return next_url(self.request, default=self.alert.product, referrer=False)
