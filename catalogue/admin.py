"""Oscar's catalogue admin, plus franchises (with their characters) and content warnings.

The admin asks for the model permissions itself (the "Catalogue managers" group has them); a
warning's level is saved through catalogue.services, which records the change.
"""

from django import forms
from django.contrib import admin
from oscar.apps.catalogue.admin import *  # noqa: F403

from .models import Character, ContentWarning, ContentWarningLevelChange, Franchise
from .services import save_content_warning
from .text_linkers import EditsTextUnlinked


class CharacterInline(admin.TabularInline):
    model = Character
    extra = 0
    prepopulated_fields = {"slug": ("name",)}


class FranchiseAdminForm(EditsTextUnlinked, forms.ModelForm):
    class Meta:
        model = Franchise
        fields = ("name", "slug", "description")


@admin.register(Franchise)
class FranchiseAdmin(admin.ModelAdmin):
    form = FranchiseAdminForm
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}
    inlines = (CharacterInline,)


class LevelChangeInline(admin.TabularInline):
    """The record of level changes, read-only: nobody edits or deletes it here."""

    model = ContentWarningLevelChange
    fields = readonly_fields = ("changed_at", "changed_by", "from_level", "to_level")
    extra = max_num = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ContentWarning)
class ContentWarningAdmin(admin.ModelAdmin):
    list_display = ("name", "level", "slug")
    list_filter = ("level",)
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}
    fields = ("name", "slug", "level", "explanation")
    inlines = (LevelChangeInline,)

    def save_model(self, request, obj, form, change):
        save_content_warning(obj, by=request.user)
