"""Catalogue writes that carry a rule: a content warning's level is saved with the record of who
changed it, in one transaction, from the dashboard and the admin alike."""

from django.db import transaction

from .models import ContentWarning, ContentWarningLevelChange


def save_content_warning(warning: ContentWarning, *, by) -> ContentWarning:
    """Save the warning; when its level is new or changed, record from, to and who, or save nothing."""
    with transaction.atomic():
        before = (
            ContentWarning.objects.select_for_update()
            .filter(pk=warning.pk)
            .values_list("level", flat=True)
            .first()
            if warning.pk
            else None
        )
        warning.save()
        if warning.level != before:
            ContentWarningLevelChange.objects.create(
                warning=warning, changed_by=by, from_level=before, to_level=warning.level
            )
    return warning
