from django.apps import AppConfig


class ShopConfig(AppConfig):
    """Shop-wide code: the home page, health check, robots.txt, sitemaps and management commands."""

    name = "shop"
    verbose_name = "Shop"
