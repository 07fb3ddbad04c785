from django.apps import AppConfig


class ShopConfig(AppConfig):
    """Shop-wide code: the home page, health check, robots.txt, sitemaps and management commands."""

    name = "shop"
    verbose_name = "Shop"

    def ready(self):
        from django.db.models.signals import post_delete, post_save
        from oscar.core.loading import get_model

        from shop.templatetags.shop_menu import forget_category_menu

        Category = get_model("catalogue", "Category")
        post_save.connect(forget_category_menu, sender=Category, dispatch_uid="category-menu")
        post_delete.connect(forget_category_menu, sender=Category, dispatch_uid="category-menu-del")
