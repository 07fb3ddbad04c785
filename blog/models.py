"""Explainer articles: posts with stored, sanitised HTML, their FAQ, the products they feature,
and a revision for every save; and the glossary's terms, with their aliases and the posts that use
them. Published = status published and `published_at` not in the future, for posts and terms alike."""

import re
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalogue import spoilers
from catalogue.image_policy import ImageField


class BlogCategory(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("blog category")
        verbose_name_plural = _("blog categories")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("blog:category", kwargs={"slug": self.slug})


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("blog:tag", kwargs={"slug": self.slug})


# Newest first, ties by id: the order of every list of posts, and what "previous" and "next"
# mean on an article (blog.selectors.nearby_posts).
NEWEST_FIRST = ("-published_at", "-pk")


def _time_has_come(now=None) -> Q:
    return Q(published_at__lte=now or timezone.now())


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class PublicationQuerySet(models.QuerySet):
    """The publication rule, for queries on posts and terms; `Publishable.is_public` and
    `is_scheduled` say the same of one row. A row is live when its status is published and its
    `published_at` has come (scheduling needs no cron); scheduled while it is published and that
    time has not come."""

    def published(self, *, now=None):
        """Live rows: what the public sees."""
        return self.filter(Q(status=Status.PUBLISHED) & _time_has_come(now))

    def scheduled(self, *, now=None):
        """Published rows that are not live yet."""
        return self.filter(Q(status=Status.PUBLISHED) & ~_time_has_come(now))

    def newest_first(self):
        return self.order_by(*NEWEST_FIRST)


class Publishable:
    """`is_public` and `is_scheduled` for one post or term (the rule: PublicationQuerySet)."""

    @property
    def is_public(self) -> bool:
        """Live now."""
        return self.status == Status.PUBLISHED and self._time_has_come()

    @property
    def is_scheduled(self) -> bool:
        """Published, not live yet."""
        return self.status == Status.PUBLISHED and not self._time_has_come()

    def _time_has_come(self) -> bool:
        return self.published_at is not None and self.published_at <= timezone.now()


class Post(Publishable, models.Model):
    Status = Status

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    summary = models.TextField(
        _("summary"),
        max_length=300,
        blank=True,
        help_text=_("Shown in listings, the meta description and feeds. Required to publish."),
    )
    body = models.TextField(
        _("body"),
        blank=True,
        help_text=_(
            "Markdown. A line [[product:UPC]] embeds a live product card; "
            "[[products:UPC, UPC, UPC]] a row of them."
        ),
    )
    # Rendered and sanitised on save (blog.markup); never rendered at request time.
    body_html = models.TextField(editable=False, blank=True)
    # The body's text as search reads it: spoilers left out (blog.markup), filled with body_html.
    body_text = models.TextField(editable=False, blank=True)
    toc = models.JSONField(editable=False, default=list, blank=True)
    reading_minutes = models.PositiveSmallIntegerField(editable=False, default=1)

    hero_image = ImageField(_("hero image"), upload_to="blog/heroes/", blank=True)
    hero_alt = models.CharField(
        _("hero image alt text"),
        max_length=200,
        blank=True,
        help_text=_("What the picture shows, for readers who cannot see it. Required to publish."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="blog_posts",
        verbose_name=_("author"),
    )
    category = models.ForeignKey(
        BlogCategory,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="posts",
        verbose_name=_("category"),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="posts", verbose_name=_("tags"))
    content_warnings = models.ManyToManyField(
        "catalogue.ContentWarning",
        blank=True,
        related_name="blog_posts",
        verbose_name=_("content warnings"),
    )
    products = models.ManyToManyField(
        "catalogue.Product",
        through="PostProduct",
        related_name="blog_posts",
        blank=True,
        editable=False,
    )
    seo_title = models.CharField(_("SEO title"), max_length=70, blank=True)
    seo_description = models.CharField(_("SEO description"), max_length=160, blank=True)

    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(
        _("published at"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("A time in the future schedules the post."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PublicationQuerySet.as_manager()

    class Meta:
        ordering = list(NEWEST_FIRST)
        verbose_name = _("post")
        verbose_name_plural = _("posts")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("blog:detail", kwargs={"slug": self.slug})


class FAQEntry(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="faq_entries")
    question = models.CharField(_("question"), max_length=300)
    answer = models.TextField(_("answer"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    # The page shows an entry as written and search engines read it as FAQPage JSON-LD: spoiler
    # syntax here would hide nothing.
    SPOILERS_REFUSED = _(
        "Spoilers belong in the body: a FAQ's questions and answers are shown as written, on "
        "the page and to search engines."
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")

    def __str__(self) -> str:
        return self.question

    @property
    def has_spoiler_syntax(self) -> bool:
        return spoilers.has_markers(self.question) or spoilers.has_markers(self.answer)

    def clean(self):
        if self.has_spoiler_syntax:
            raise ValidationError(self.SPOILERS_REFUSED)


class PostProduct(models.Model):
    """A product the post embeds as a card or links to: what "Featured in" reads in one query."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="featured")
    product = models.ForeignKey(
        "catalogue.Product", on_delete=models.CASCADE, related_name="featured_in_posts"
    )
    is_embedded = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["post", "product"], name="post_product_once")
        ]

    def __str__(self) -> str:
        return f"{self.post_id} → {self.product_id}"


class PostRevision(models.Model):
    """What a post looked like after one save; staff can view and restore it."""

    # The post's fields a revision keeps, records on every save and puts back on restore.
    TEXT_FIELDS = ("title", "summary", "body", "seo_title", "seo_description", "hero_alt")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    created_at = models.DateTimeField(auto_now_add=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)
    seo_title = models.CharField(max_length=70, blank=True)
    seo_description = models.CharField(max_length=160, blank=True)
    hero_alt = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.post} @ {self.created_at:%Y-%m-%d %H:%M}"


# --- The glossary --------------------------------------------------------------------------


def normalised(name: str) -> str:
    """The form two names are compared in: "NTR", "ntr" and " N T R"-free spacing are one name,
    so an alias can belong to one term only. Width and case folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


ALIAS_SEPARATORS = re.compile(r"[\n,;]+")


def split_aliases(text: str) -> list[str]:
    """The aliases written one per line (or separated by commas), each once, in order."""
    seen, aliases = set(), []
    for alias in ALIAS_SEPARATORS.split(text):
        alias = " ".join(alias.split())
        if alias and normalised(alias) not in seen:
            seen.add(normalised(alias))
            aliases.append(alias)
    return aliases


class Term(Publishable, models.Model):
    """A word readers meet on the shop's pages (NTR, ita bag, hard enamel), explained once."""

    Status = Status

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    aliases = models.TextField(
        _("aliases"),
        blank=True,
        help_text=_(
            "Other names for the same thing, one per line (NTR: netorare, 寝取られ). "
            "A name or alias belongs to one term only."
        ),
    )
    definition = models.TextField(
        _("definition"),
        help_text=_("One paragraph of Markdown, in our own words. ||Spoilers|| hide as in posts."),
    )
    # Rendered and sanitised on save (blog.markup, as post bodies); never at request time.
    definition_html = models.TextField(editable=False, blank=True)
    # Plain text, spoilers left out: the tooltip on linked mentions and the meta description.
    short_definition = models.CharField(editable=False, max_length=300, blank=True)
    explainer = models.ForeignKey(
        Post,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="explained_terms",
        verbose_name=_("explainer article"),
    )
    related_products = models.ManyToManyField(
        "catalogue.Product",
        blank=True,
        related_name="glossary_terms",
        verbose_name=_("related products"),
    )
    content_warnings = models.ManyToManyField(
        "catalogue.ContentWarning",
        blank=True,
        related_name="glossary_terms",
        verbose_name=_("content warnings"),
    )
    see_also = models.ManyToManyField(
        "self", blank=True, symmetrical=False, verbose_name=_("see also")
    )
    posts = models.ManyToManyField(
        Post, through="PostTerm", related_name="terms", blank=True, editable=False
    )

    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PublicationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("glossary term")
        verbose_name_plural = _("glossary terms")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("glossary:detail", kwargs={"slug": self.slug})

    @property
    def alias_list(self) -> list[str]:
        return split_aliases(self.aliases)

    @property
    def names(self) -> tuple[str, ...]:
        """The name first, then the aliases: every way a text may mention the term."""
        name = normalised(self.name)
        return (self.name, *(a for a in self.alias_list if normalised(a) != name))

    @property
    def letter(self) -> str:
        """The A–Z index's letter: the name's first letter, "#" for digits and other scripts."""
        first = unicodedata.normalize("NFKD", self.name[:1]).upper()[:1]
        return first if "A" <= first <= "Z" else "#"


class TermAlias(models.Model):
    """Every name a term answers to (its own name included), unique once normalised: the database
    refuses an alias that two terms would share. Kept by blog.glossary.save_term."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="alias_rows")
    name = models.CharField(max_length=100)
    normalised = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("term alias")
        verbose_name_plural = _("term aliases")

    def __str__(self) -> str:
        return self.name


class PostTerm(models.Model):
    """A glossary term a post's body mentions: "articles that use this term" in one query."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="term_mentions")
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="post_mentions")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "term"], name="post_term_once")]

    def __str__(self) -> str:
        return f"{self.post_id} → {self.term_id}"


class ArticleLink(models.Model):
    """A signed-in customer followed this article to this product: kept for
    `blog.attribution.LINK_DAYS` days (the last article wins), so a purchase days later, from
    another device, still names it. Nothing else about the customer is kept."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey("catalogue.Product", on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "product"], name="article_link_per_product")
        ]

    def __str__(self) -> str:
        return f"{self.post_id} → {self.product_id}"


class ArticleDay(models.Model):
    """How many times an article's page was shown on one day (blog.attribution writes it)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    views = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "day"], name="article_day_once")]

    def __str__(self) -> str:
        return f"{self.post_id} on {self.day}: {self.views}"


class ArticleProductDay(models.Model):
    """On one day, how many readers followed an article to a product (`clicks`) and how many
    times the product went into a basket on the article's account (`adds`)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey("catalogue.Product", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    clicks = models.PositiveIntegerField(default=0)
    adds = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["post", "product", "day"], name="article_product_day_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.post_id} → {self.product_id} on {self.day}"
