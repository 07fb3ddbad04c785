"""The shop mounted under /elsewhere/ (tests/catalogue/test_tile_links.py)."""

from django.urls import include, path

urlpatterns = [path("elsewhere/", include("shop.urls"))]
