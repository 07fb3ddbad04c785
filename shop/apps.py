from django.apps import AppConfig


class ShopConfig(AppConfig):
    """Shop-wide code: the home page, health check, robots.txt, sitemaps and management commands."""

    name = "shop"
    verbose_name = "Shop"

    def ready(self):
        from shop import money
        from shop.i18n import drop_empty_fallbacks

        drop_empty_fallbacks()
        money.use_in_templates()
