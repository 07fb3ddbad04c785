"""Oscar's sign-in, registration and sign-out views, changed where the login throttle and CSRF
need it; mounted at Oscar's own addresses (shop.accounts.urls), so `customer:login`,
`customer:register` and `customer:logout` name them."""

from django.conf import settings
from django.contrib.auth import login as auth_login
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from oscar.apps.customer.signals import user_registered
from oscar.core.loading import get_class

OscarAccountAuthView = get_class("customer.views", "AccountAuthView")
OscarAccountRegistrationView = get_class("customer.views", "AccountRegistrationView")
OscarLogoutView = get_class("customer.views", "LogoutView")

BACKEND = "shop.accounts.backends.EmailOrUsernameBackend"


class SignInNewAccount:
    """Oscar's RegisterUserMixin signs a new account in by calling authenticate() without the
    request, which the login throttle (AxesBackend) refuses. The account was made a moment ago
    with this password, so sign it in directly."""

    def register_user(self, form):
        user = form.save()
        user_registered.send_robust(sender=self, request=self.request, user=user)
        if getattr(settings, "OSCAR_SEND_REGISTRATION_EMAIL", True):
            self.send_registration_email(user)
        auth_login(self.request, user, backend=BACKEND)
        return user


class AccountAuthView(SignInNewAccount, OscarAccountAuthView):
    pass


class AccountRegistrationView(SignInNewAccount, OscarAccountRegistrationView):
    pass


class LogoutView(OscarLogoutView):
    """Signing out takes a POST with the CSRF token: a GET (a link, or an <img> on any page)
    only shows a page with the button."""

    def get(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(settings.OSCAR_HOMEPAGE)
        return TemplateResponse(request, "shop/accounts/logout.html")

    def post(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
