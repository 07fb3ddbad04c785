"""Catalogue models. Ours are declared above the import of Oscar's, as Oscar's forking guide says.

Franchise → Character is the fan's way into the catalogue; ContentWarning is shared with the blog.
"""

from types import SimpleNamespace

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models, transaction
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from oscar.apps.catalogue.abstract_models import (
    AbstractCategory,
    AbstractProduct,
    AbstractProductImage,
)
from oscar.apps.catalogue.managers import CategoryManager, CategoryQuerySet
from oscar.utils.models import get_image_upload_path

from .image_policy import ImageField


class Franchise(models.Model):
    """A series (anime, manga, game or our own line) that products are made for."""

    name = models.CharField(_("name"), max_length=128, unique=True)
    slug = models.SlugField(_("slug"), max_length=128, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("franchise")
        verbose_name_plural = _("franchises")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalogue:franchise", kwargs={"slug": self.slug})


class Character(models.Model):
    franchise = models.ForeignKey(
        Franchise, on_delete=models.CASCADE, related_name="characters", verbose_name=_("franchise")
    )
    name = models.CharField(_("name"), max_length=128)
    slug = models.SlugField(_("slug"), max_length=128)

    class Meta:
        ordering = ["franchise__name", "name"]
        verbose_name = _("character")
        verbose_name_plural = _("characters")
        constraints = [
            models.UniqueConstraint(
                fields=["franchise", "slug"], name="character_slug_unique_per_franchise"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.franchise.name})"


class ContentWarning(models.Model):
    """A theme some buyers or readers want to know about first (NTR, gore, nudity...)."""

    class Level(models.IntegerChoices):
        # Ordered: a product's level is the highest of its warnings (0 = none).
        NOTICE = 1, _("Notice")
        MATURE = 2, _("Mature")
        ADULT = 3, _("Adult (18+)")

    name = models.CharField(_("name"), max_length=64, unique=True)
    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    explanation = models.TextField(
        _("explanation"), max_length=500, help_text=_("One or two sentences shown with the badge.")
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=Level, default=Level.NOTICE)

    class Meta:
        ordering = ["-level", "name"]
        verbose_name = _("content warning")
        verbose_name_plural = _("content warnings")

    def __str__(self) -> str:
        return self.name

    @property
    def badge_modifier(self) -> str:
        """The badge's CSS modifier: "notice", "mature" or "adult"."""
        return {self.Level.ADULT: "adult", self.Level.MATURE: "mature"}.get(self.level, "notice")


class ContentWarningLevelChange(models.Model):
    """Who moved a warning from one level to another, and when: the level decides the 18+ gate and
    the blurring of every product carrying the warning. Written by catalogue.services only."""

    warning = models.ForeignKey(
        ContentWarning,
        on_delete=models.CASCADE,
        related_name="level_changes",
        verbose_name=_("content warning"),
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True, db_index=True)
    # No level before: the warning was created.
    from_level = models.PositiveSmallIntegerField(
        _("from"), choices=ContentWarning.Level, null=True
    )
    to_level = models.PositiveSmallIntegerField(_("to"), choices=ContentWarning.Level)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("content warning level change")
        verbose_name_plural = _("content warning level changes")
        default_permissions = ("view",)

    def __str__(self) -> str:
        before = self.get_from_level_display() or _("(new)")
        return f"{self.warning}: {before} → {self.get_to_level_display()}"


class ContentConsent(models.Model):
    """What a signed-in shopper chose to see; anonymous shoppers keep the same choice in the session."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="content_consent"
    )
    shows_mature = models.BooleanField(_("shows mature content"), default=False)
    adult_confirmed_at = models.DateTimeField(_("confirmed 18+ at"), null=True, blank=True)

    class Meta:
        verbose_name = _("content consent")
        verbose_name_plural = _("content consents")

    def __str__(self) -> str:
        return str(self.user)


class FacetCount(models.Model):
    """How many listed products one listing has in one facet cell: a row of catalogue.facet_counts.

    A cell is (listing, character or none, type, franchise, price band, available, warning level);
    its count is the sum of its rows. Changes add signed rows rather than update shared ones, so
    concurrent orders never wait on (or deadlock over) the same cell; `compact()` folds them.
    Ids are plain integers: a count outlives nothing it names, and its names are read apart.
    """

    listing = models.CharField(max_length=32)  # "all", "category:<pk>", "franchise:<pk>"
    character_id = models.IntegerField(null=True)  # none: the product row itself
    product_class_id = models.IntegerField(null=True)
    franchise_id = models.IntegerField(null=True)
    band = models.CharField(max_length=16)  # a price band's key, "" without a price
    is_available = models.BooleanField()
    warning_level = models.PositiveSmallIntegerField()
    n = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["listing"], name="catalogue_facetcount_listing")]

    def __str__(self) -> str:
        return f"{self.listing}: {self.n:+d}"


class FacetMembership(models.Model):
    """The cells one product is counted in (catalogue.facet_counts), to take it out of them when it
    changes or goes. Keyed on the product's id, not a foreign key: it must outlive the product."""

    product_id = models.IntegerField(primary_key=True)
    cells = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"product {self.product_id}: {len(self.cells)} cells"


class SearchRow(models.Model):
    """A listed product as search's facet counts read it (PostgreSQL): its words as a stripped
    vector (lexemes only, no positions or weights), GIN-indexed, and its listing columns. About a
    third of the product row's width, so counting the facets of 31k matches reads a third of the
    pages. Written by a trigger on catalogue_product in the same statement as the product
    (migration 0043); empty on SQLite, whose search groups the product rows."""

    product_id = models.IntegerField(primary_key=True)
    lexemes = SearchVectorField()
    product_class_id = models.IntegerField(null=True)
    franchise_id = models.IntegerField(null=True)
    listing_price = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    is_available = models.BooleanField()
    warning_level = models.PositiveSmallIntegerField()
    character_ids = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"product {self.product_id}"


class SearchWord(models.Model):
    """A word so many products hold (a lexeme of the "english" configuration) that search keeps
    its facet and tier counts ready in SearchWordCount (catalogue.search_words)."""

    lexeme = models.TextField(primary_key=True)

    def __str__(self) -> str:
        return self.lexeme


class SearchWordCount(models.Model):
    """How many listed products hold a kept word in one relevance tier and one facet cell: a signed
    row, summed like FacetCount's and folded by the same compaction. Written by a trigger on
    catalogue_product in the statement that changes the product (migration 0044; PostgreSQL)."""

    lexeme = models.TextField()
    tier = models.PositiveSmallIntegerField()  # 1: in the title, 2: in the names, 3: elsewhere
    character_id = models.IntegerField(null=True)  # none: the product row itself
    product_class_id = models.IntegerField(null=True)
    franchise_id = models.IntegerField(null=True)
    band = models.CharField(max_length=16)
    is_available = models.BooleanField()
    warning_level = models.PositiveSmallIntegerField()
    n = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["lexeme"], name="catalogue_searchwordcount_word")]

    def __str__(self) -> str:
        return f"{self.lexeme}: {self.n:+d}"


class Product(AbstractProduct):
    franchise = models.ForeignKey(
        Franchise,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="products",
        verbose_name=_("franchise"),
    )
    characters = models.ManyToManyField(
        Character, blank=True, related_name="products", verbose_name=_("characters")
    )
    content_warnings = models.ManyToManyField(
        ContentWarning, blank=True, related_name="products", verbose_name=_("content warnings")
    )
    # Listing columns, kept in step by catalogue.indexing so that listings filter, sort and count
    # facets on the product row alone (a correlated subquery per product is slow at 100k).
    warning_level = models.PositiveSmallIntegerField(default=0, editable=False, db_index=True)
    listing_price = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        editable=False,
        db_index=True,
        help_text="Lowest price of the product or, for a parent, of its variants.",
    )
    is_available = models.BooleanField(
        default=False, editable=False, help_text="Has stock to sell (or does not track stock)."
    )
    search_text = models.TextField(
        blank=True,
        editable=False,
        help_text="UPC, franchise, characters, type and attribute values: what search matches "
        "besides the title and description.",
    )
    search_description = models.TextField(
        blank=True,
        editable=False,
        help_text="The description as search reads it: its text, without the spoilers.",
    )
    character_ids = models.TextField(
        blank=True,
        editable=False,
        help_text="The product's characters' ids, space-separated in id order: search results "
        "count every facet, characters included, in one grouped query over the product rows.",
    )
    # PostgreSQL's weighted full-text vector of title, search_text and search_description, written
    # by a trigger on every insert and update (migrations 0039 and 0048)
    # and indexed with GIN; search filters and ranks it instead of recomputing it per match.
    # Always empty on SQLite, which searches the text columns.
    search_document = SearchVectorField(null=True, editable=False)
    # Oscar's analytics count (ProductRecord.num_purchases), copied by triggers (migration 0043)
    # so that the best-selling sort and search's order within a tier read one indexed column.
    # A save with a stale copy cannot overwrite it: the database sets it from analytics.
    num_purchases = models.PositiveIntegerField(default=0, editable=False)

    class Meta(AbstractProduct.Meta):
        # One index per listing sort (shop.search.selectors.SORT_ORDERS), over listed products
        # only: a page of 24 reads 24 entries in order, the in-stock filter checked on the way,
        # instead of sorting 100k rows. Price high to low (DESC NULLS LAST, which SQLite cannot
        # index) is PostgreSQL's only: migration 0042. Best-selling also serves search's order
        # within a tier (shop.search.selectors).
        indexes = [
            models.Index(
                *fields, name=name, condition=models.Q(is_public=True, parent__isnull=True)
            )
            for name, fields in [
                ("product_listed_newest", (F("date_created").desc(), F("id").desc())),
                # Ascending is NULLS LAST on PostgreSQL: the sort's order exactly.
                ("product_listed_price_asc", ("listing_price", "id")),
                ("product_listed_title", ("title", "id")),
                (
                    "product_listed_best_selling",
                    (F("num_purchases").desc(), F("date_created").desc(), F("id").desc()),
                ),
            ]
        ]

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)  # Oscar saves attribute values here, after post_save
        from . import facet_counts
        from .generations import bump_listings
        from .indexing import refresh_listing_fields

        bump_listings(refresh_listing_fields([self.pk]))
        facet_counts.recount([self.pk])  # its type, franchise or visibility may have changed

    @property
    def is_adult(self) -> bool:
        return self.warning_level >= ContentWarning.Level.ADULT

    def get_missing_image(self) -> SimpleNamespace:
        # Oscar's MissingProductImage links its placeholder into MEDIA_ROOT, on disk, the first
        # time a product without a picture is shown: object storage has no MEDIA_ROOT, and pages
        # show the static placeholder anyway (catalogue.images.MISSING_IMAGE), by this name.
        return SimpleNamespace(name=settings.OSCAR_MISSING_IMAGE_URL)

    def get_absolute_url(self) -> str:
        # Oscar's URL, without a full `reverse` per product: listings link dozens (catalogue.links).
        from .links import product_url

        return product_url(self)


class MovingCategoryManager(CategoryManager.from_queryset(CategoryQuerySet)):
    def move(self, node, target, pos=None):
        """Treebeard rewrites a moved branch's paths in SQL, without signals: its products now
        count under other ancestors' listings, so their facet cells follow here."""
        from . import facet_counts

        with transaction.atomic():
            branch = list(self.get_tree(node).values_list("pk", flat=True))
            super().move(node, target, pos)
            moved = Product.objects.filter(categories__in=branch).values_list("pk", flat=True)
            ids = sorted(set(moved))
            for start in range(0, len(ids), facet_counts.BATCH):
                facet_counts.recount(ids[start : start + facet_counts.BATCH])


# Oscar's category and product image, with their pictures checked and re-encoded by the one image
# policy (catalogue.image_policy); the columns are Oscar's, unchanged.
class Category(AbstractCategory):
    image = ImageField(_("Image"), upload_to="categories", blank=True, null=True, max_length=255)

    objects = MovingCategoryManager()


class ProductImage(AbstractProductImage):
    original = ImageField(_("Original"), upload_to=get_image_upload_path, max_length=255)


class ProductViewBatch(models.Model):
    """Product views a task worker took from Redis and added to ProductRecord.num_views, by the
    batch's id: a run that takes the same batch again (its worker killed after the commit, before
    Redis let go of it) finds it here and adds nothing (catalogue.view_counts)."""

    batch_id = models.CharField(max_length=32, unique=True)
    written_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return self.batch_id


from oscar.apps.catalogue.models import *  # noqa: E402, F403
