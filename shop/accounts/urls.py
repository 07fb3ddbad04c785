"""Mounted at /accounts/ ahead of Oscar's customer URLs (shop/urls.py): the same addresses and
names, our views (shop.accounts.views)."""

from django.urls import path

from shop.accounts import views

urlpatterns = [
    path("login/", views.AccountAuthView.as_view()),
    path("register/", views.AccountRegistrationView.as_view()),
    path("logout/", views.LogoutView.as_view()),
]
