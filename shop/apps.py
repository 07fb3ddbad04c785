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
        connect_page_invalidation()


# Everything a cached storefront or blog page shows (shop.pagecache) beyond what a product page's
# parts show (catalogue.receivers.PAGE_PART_SOURCES): a change to any of them starts a new
# generation of pages.
PAGE_SOURCES = [
    "catalogue.ProductClass",
    "catalogue.ProductImage",
    "catalogue.ContentWarning",
    "partner.StockRecord",
    "blog.Post",
    "blog.PostProduct",
    "blog.FAQEntry",
    "blog.Tag",
    "blog.BlogCategory",
]


def connect_page_invalidation() -> None:
    from django.db.models.signals import m2m_changed, post_delete, post_save
    from oscar.core.loading import get_model

    from catalogue.receivers import PAGE_PART_SOURCES
    from shop.pagecache import forget_all_pages

    for label in [*PAGE_PART_SOURCES, *PAGE_SOURCES]:
        model = get_model(*label.split("."))
        for signal in (post_save, post_delete):
            signal.connect(forget_all_pages, sender=model, dispatch_uid=f"pages-{label}")
    Product = get_model("catalogue", "Product")
    Post = get_model("blog", "Post")
    for relation in (
        Product.characters,
        Product.content_warnings,
        Post.tags,
        Post.content_warnings,
        Post.products,
    ):
        m2m_changed.connect(
            forget_all_pages, sender=relation.through, dispatch_uid=f"pages-{relation.through}"
        )
