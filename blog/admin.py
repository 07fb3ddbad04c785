"""The Django admin where staff write posts and glossary terms: every save goes through
blog.services.save_post (render, featured products, revision) or blog.glossary.save_term (render,
aliases); publishing either passes the same publish-time checks first."""

from __future__ import annotations

import copy

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import model_ngettext, unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.forms.models import construct_instance
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from oscar.core.loading import get_model

from catalogue.staff_html import site_hosts

from . import glossary, markup, services
from .models import BlogCategory, FAQEntry, Post, PostRevision, Tag, Term

Product = get_model("catalogue", "Product")

PRODUCT_SEARCH_LIMIT = 20


def preview_url(post: Post) -> str:
    """The staff-only view of the post as its article page will show it (blog.views.preview)."""
    return reverse("blog:preview", kwargs={"pk": post.pk})


BODY_HELP = _(
    "Markdown. A line [[product:UPC]] embeds a live product card; [[products:UPC, UPC, UPC]] a "
    "row of them. ||like this|| hides a spoiler inside a sentence; a line :::spoiler Episode 12 "
    "opens a hidden block (the label is optional) that a line ::: closes. Readers reveal them; "
    "summaries, feeds and link previews never show them."
)


class PostAdminForm(forms.ModelForm):
    insert_product = forms.CharField(
        label=_("Insert a product"),
        required=False,
        help_text=_(
            "Type part of a product's name or UPC and pick it: a [[product:UPC]] line goes into "
            "the body at the cursor."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "vTextField"}),
    )

    class Meta:
        model = Post
        fields = (
            "title", "slug", "author", "category", "status", "published_at", "summary", "body",
            "hero_image", "hero_alt", "tags", "content_warnings", "seo_title", "seo_description",
        )  # fmt: skip
        # A handful of warnings, all worth seeing at once: ticked boxes, not a two-list picker.
        widgets = {"content_warnings": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The editor script finds its endpoints here rather than hard-coding admin paths.
        self.fields["insert_product"].widget.attrs["data-search-url"] = reverse(
            "admin:blog_post_product_search"
        )
        if "body" in self.fields:
            self.fields["body"].help_text = BODY_HELP
            self.fields["body"].widget.attrs["data-preview-url"] = reverse(
                "admin:blog_post_markdown_preview"
            )
        if "published_at" in self.fields:
            # The admin's split widget shows "Date:" and "Time:" as bare text, not labels.
            date, time = self.fields["published_at"].widget.widgets
            date.attrs["aria-label"] = _("Publication date")
            time.attrs["aria-label"] = _("Publication time")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") != Post.Status.PUBLISHED:
            return cleaned
        # Check the post as it would be saved, without touching the instance the admin saves.
        candidate = construct_instance(self, copy.copy(self.instance))
        problems = services.publication_problems(candidate)
        if problems:
            raise forms.ValidationError(
                [_("The post cannot be published yet, so it stays a draft:"), *problems],
                code="publication_problems",
            )
        return cleaned


class FAQEntryInline(admin.StackedInline):
    model = FAQEntry
    fields = ("question", "answer", "position")
    ordering = ("position", "pk")
    extra = 1


class PublicationActions:
    """ "Publish now" and "Unpublish" for the rows ticked in a list, through the model's own
    services (`publication`: publish, unpublish and PublishError), so the list refuses exactly
    what the form refuses."""

    publication = services
    actions = ("publish_now", "unpublish")

    @admin.action(description=_("Publish now"), permissions=["change"])
    def publish_now(self, request, queryset):
        published, refused = 0, []
        for row in queryset:
            if row.is_public:
                continue
            try:
                self.publication.publish(row, by=request.user, at=timezone.now())
            except services.PublishError as error:
                refused.append(f"“{row}”: {' '.join(error.problems)}")
            else:
                published += 1
        if published:
            self.message_user(
                request,
                _("Published %(count)d %(items)s.")
                % {"count": published, "items": model_ngettext(self.opts, published)},
                messages.SUCCESS,
            )
        for reason in refused:
            self.message_user(request, _("Not published: %s") % reason, messages.ERROR)

    @admin.action(description=_("Unpublish"), permissions=["change"])
    def unpublish(self, request, queryset):
        count = 0
        for row in queryset.filter(status=Post.Status.PUBLISHED):
            self.publication.unpublish(row, by=request.user)
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d %(items)s is a draft again.",
                "%(count)d %(items)s are drafts again.",
                count,
            )
            % {"count": count, "items": model_ngettext(self.opts, count)},
            messages.SUCCESS,
        )


@admin.register(Post)
class PostAdmin(PublicationActions, admin.ModelAdmin):
    form = PostAdminForm
    change_form_template = "admin/blog/post/change_form.html"
    list_display = ("title", "status_label", "published_at", "author", "warnings", "preview")
    list_filter = (
        "status",
        "category",
        "tags",
        "content_warnings",
        ("author", admin.RelatedOnlyFieldListFilter),  # never a list of every customer
    )
    list_select_related = ("author",)
    search_fields = ("title", "summary", "body")
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("tags",)
    readonly_fields = ("featured_products",)
    inlines = (FAQEntryInline,)
    fieldsets = (
        (None, {"fields": ("title", "slug", "author", "category", "status", "published_at")}),
        (_("Text"), {"fields": ("summary", "insert_product", "body", "featured_products")}),
        (_("Hero image"), {"fields": ("hero_image", "hero_alt")}),
        (_("Tags and content warnings"), {"fields": ("tags", "content_warnings")}),
        (
            _("Search engines"),
            {"fields": ("seo_title", "seo_description"), "classes": ("collapse",)},
        ),
    )

    class Media:
        css = {"all": ("blog/admin/editor.css",)}
        js = ("blog/admin/editor.js",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("content_warnings")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "author":
            # Authors are staff; listing every customer would be slow and show editors the users.
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        return {"author": request.user.pk, **super().get_changeform_initial_data(request)}

    # --- list columns -----------------------------------------------------------------------

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, post: Post) -> str:
        return _("Scheduled") if post.is_scheduled else post.get_status_display()

    @admin.display(description=_("warnings"))
    def warnings(self, post: Post) -> str:
        return ", ".join(w.name for w in post.content_warnings.all())

    @admin.display(description=_("preview"))
    def preview(self, post: Post) -> str:
        return format_html('<a href="{}">{}</a>', preview_url(post), _("Preview"))

    @admin.display(description=_("featured products"))
    def featured_products(self, post: Post) -> str:
        if not post.pk:
            return _("Listed here once the post is saved.")
        rows = post.featured.select_related("product")
        if not rows:
            return _("The body embeds or links to no product.")
        return format_html(
            "<ul class='blog-featured'>{}</ul>",
            format_html_join(
                "",
                "<li><a href='{}'>{}</a> <code>{}</code> {}</li>",
                (
                    (
                        row.product.get_absolute_url(),
                        row.product.get_title(),
                        row.product.upc or "",
                        _("(card)") if row.is_embedded else _("(link)"),
                    )
                    for row in rows
                ),
            ),
        )

    # --- saving -----------------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        if not change and obj.author_id is None:
            obj.author = request.user
        # Renders and sanitises the body, records featured products and keeps one revision;
        # save_related then stores tags, warnings and the FAQ as usual.
        services.save_post(obj, by=request.user)

    # --- extra pages: text history, product search, Markdown preview ------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        own = [
            path(
                "products/",
                view(self.product_search_view),
                name="blog_post_product_search",
            ),
            path(
                "markdown-preview/",
                view(require_POST(self.markdown_preview_view)),
                name="blog_post_markdown_preview",
            ),
            path(
                "<path:object_id>/text-history/",
                view(self.text_history_view),
                name="blog_post_text_history",
            ),
            path(
                "<path:object_id>/text-history/<int:revision_id>/restore/",
                view(require_POST(self.restore_view)),
                name="blog_post_restore_revision",
            ),
        ]
        # Ours first: the admin's "<path:object_id>/" would otherwise swallow them.
        return own + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        post = self.get_object(request, unquote(object_id))
        extra_context = {
            **(extra_context or {}),
            "preview_url": preview_url(post) if post else None,
            "text_history_url": reverse("admin:blog_post_text_history", args=[object_id]),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def _can_write(self, request) -> bool:
        return self.has_add_permission(request) or self.has_change_permission(request)

    def product_search_view(self, request):
        """Public products whose title or UPC contains `q`, as [{upc, title}] (one query)."""
        if not self._can_write(request):
            raise PermissionDenied
        q = request.GET.get("q", "").strip()
        if not q:
            return JsonResponse([], safe=False)
        products = (
            Product.objects.filter(is_public=True, upc__isnull=False)
            .exclude(upc="")
            .filter(Q(title__icontains=q) | Q(upc__icontains=q))
            .order_by("title")
            .values("upc", "title")[:PRODUCT_SEARCH_LIMIT]
        )
        return JsonResponse(list(products), safe=False)

    def markdown_preview_view(self, request):
        """The body as it will be stored: sanitised HTML with product-card placeholders."""
        if not self._can_write(request):
            raise PermissionDenied
        rendered = markup.render(request.POST.get("body", ""), own_hosts=site_hosts())
        return JsonResponse({"html": rendered.html})

    def text_history_view(self, request, object_id):
        post = self.get_object(request, unquote(object_id))
        if post is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, post):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("History of text: %s") % post,
            "post": post,
            "revisions": post.revisions.select_related("saved_by"),
            "can_restore": self.has_change_permission(request, post),
        }
        return TemplateResponse(request, "admin/blog/post/text_history.html", context)

    def restore_view(self, request, object_id, revision_id):
        post = self.get_object(request, unquote(object_id))
        if post is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, post):
            raise PermissionDenied
        revision = get_object_or_404(PostRevision, pk=revision_id, post=post)
        change_url = reverse("admin:blog_post_change", args=[post.pk])
        try:
            services.restore(revision, by=request.user)
        except services.RestoreError as error:
            self.message_user(
                request,
                _("Not restored: the post is published and that text %s")
                % " ".join(str(p) for p in error.problems),
                messages.ERROR,
            )
            return HttpResponseRedirect(change_url)
        saved_at = timezone.localtime(revision.created_at).strftime("%Y-%m-%d %H:%M")
        self.log_change(request, post, _("Restored the text saved at %s.") % saved_at)
        self.message_user(request, _("Restored the text saved at %s.") % saved_at, messages.SUCCESS)
        return HttpResponseRedirect(change_url)


@admin.register(PostRevision)
class PostRevisionAdmin(admin.ModelAdmin):
    """Read-only: revisions are made by saving a post and restored from its text history."""

    list_display = ("post", "created_at", "saved_by", "title")
    list_select_related = ("post", "saved_by")
    search_fields = ("post__title", "title")
    fields = ("post", "created_at", "saved_by", *PostRevision.TEXT_FIELDS)
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(BlogCategory)
class BlogCategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


# --- The glossary ---------------------------------------------------------------------------


def term_preview_url(term: Term) -> str:
    """The staff-only view of the term as its entry will show it (blog.glossary_views.preview)."""
    return reverse("glossary:preview", kwargs={"pk": term.pk})


class TermAdminForm(forms.ModelForm):
    class Meta:
        model = Term
        fields = (
            "name", "slug", "status", "published_at", "aliases", "definition", "explainer",
            "related_products", "content_warnings", "see_also",
        )  # fmt: skip
        widgets = {
            "content_warnings": forms.CheckboxSelectMultiple,
            "aliases": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "definition" in self.fields:
            # The post editor's live preview (blog/admin/editor.js): the same Markdown pipeline.
            self.fields["definition"].widget.attrs["data-preview-url"] = reverse(
                "admin:blog_post_markdown_preview"
            )

    def clean(self):
        cleaned = super().clean()
        # Check the term as it would be saved, without touching the instance the admin saves.
        candidate = construct_instance(self, copy.copy(self.instance))
        taken = glossary.alias_problems(candidate)
        if taken:
            raise forms.ValidationError(taken, code="alias_taken")
        if cleaned.get("status") != Term.Status.PUBLISHED:
            return cleaned
        problems = glossary.publication_problems(candidate)
        if problems:
            raise forms.ValidationError(
                [_("The term cannot be published yet, so it stays a draft:"), *problems],
                code="publication_problems",
            )
        return cleaned


@admin.register(Term)
class TermAdmin(PublicationActions, admin.ModelAdmin):
    publication = glossary
    form = TermAdminForm
    change_form_template = "admin/blog/post/change_form.html"
    list_display = ("name", "status_label", "published_at", "aliases_shown", "preview")
    list_filter = ("status", "content_warnings")
    search_fields = ("name", "alias_rows__name", "definition")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("explainer", "related_products", "see_also")
    fieldsets = (
        (None, {"fields": ("name", "slug", "status", "published_at")}),
        (_("Meaning"), {"fields": ("aliases", "definition", "explainer")}),
        (_("Links"), {"fields": ("related_products", "see_also", "content_warnings")}),
    )

    class Media:
        css = {"all": ("blog/admin/editor.css",)}
        js = ("blog/admin/editor.js",)

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, term: Term) -> str:
        return _("Scheduled") if term.is_scheduled else term.get_status_display()

    @admin.display(description=_("aliases"))
    def aliases_shown(self, term: Term) -> str:
        return ", ".join(term.alias_list)

    @admin.display(description=_("preview"))
    def preview(self, term: Term) -> str:
        return format_html('<a href="{}">{}</a>', term_preview_url(term), _("Preview"))

    def save_model(self, request, obj, form, change):
        # Renders and sanitises the definition and records the names the term answers to;
        # save_related then stores products, warnings and see-also as usual.
        glossary.save_term(obj, by=request.user)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        term = self.get_object(request, unquote(object_id))
        extra_context = {
            **(extra_context or {}),
            "preview_url": term_preview_url(term) if term else None,
        }
        return super().change_view(request, object_id, form_url, extra_context)
