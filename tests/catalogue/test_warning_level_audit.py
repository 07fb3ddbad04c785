"""A content warning's level decides the 18+ gate and the blurring: every change of it is recorded
with who, when, from and to, whether made in the dashboard or the admin, and shown in the dashboard."""

import pytest
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from catalogue import services
from tests.factories import ContentWarningFactory, staff_member
from tests.staff_forms import admin_warning_form, warning_form

ContentWarning = get_model("catalogue", "ContentWarning")
ContentWarningLevelChange = get_model("catalogue", "ContentWarningLevelChange")
Level = ContentWarning.Level

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(client):
    user = staff_member("sora", "Catalogue managers")
    client.force_login(user)
    return user


@pytest.fixture
def nudity():
    return ContentWarningFactory(name="Nudity", slug="nudity", level=Level.ADULT)


def recorded(warning) -> list[tuple]:
    return list(
        ContentWarningLevelChange.objects.filter(warning=warning)
        .order_by("pk")
        .values_list("changed_by__username", "from_level", "to_level")
    )


def test_level_change_in_the_dashboard_is_recorded_with_who_when_from_and_to(
    client, manager, nudity
):
    before = timezone.now()
    url = reverse("dashboard:catalogue-content-warning-update", kwargs={"pk": nudity.pk})

    client.post(url, warning_form(nudity, level=str(Level.NOTICE)))

    assert recorded(nudity) == [("sora", Level.ADULT, Level.NOTICE)]
    change = ContentWarningLevelChange.objects.get(warning=nudity)
    assert before <= change.changed_at <= timezone.now()


def test_level_change_in_the_admin_is_recorded(client, manager, nudity):
    url = reverse("admin:catalogue_contentwarning_change", args=[nudity.pk])
    form = admin_warning_form(nudity, level=str(Level.MATURE))

    response = client.post(url, form)

    assert response.status_code == 302
    assert recorded(nudity) == [("sora", Level.ADULT, Level.MATURE)]


def test_a_new_warning_is_recorded_from_no_level(client, manager):
    client.post(
        reverse("dashboard:catalogue-content-warning-create"),
        {"name": "Gore", "slug": "", "level": str(Level.ADULT), "explanation": "Blood."},
    )

    assert recorded(ContentWarning.objects.get(slug="gore")) == [("sora", None, Level.ADULT)]


def test_an_edit_that_keeps_the_level_records_nothing(client, manager, nudity):
    url = reverse("dashboard:catalogue-content-warning-update", kwargs={"pk": nudity.pk})

    client.post(url, warning_form(nudity, explanation="Bare skin, drawn."))

    nudity.refresh_from_db()
    assert nudity.explanation == "Bare skin, drawn."
    assert recorded(nudity) == []


def test_the_level_is_not_changed_when_its_record_cannot_be_written(manager, nudity, monkeypatch):
    def refuse(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(ContentWarningLevelChange.objects, "create", refuse)
    nudity.level = Level.NOTICE

    with pytest.raises(DatabaseError):
        services.save_content_warning(nudity, by=manager)

    assert ContentWarning.objects.get(pk=nudity.pk).level == Level.ADULT


def test_the_warning_page_shows_its_level_history(client, manager, nudity):
    url = reverse("dashboard:catalogue-content-warning-update", kwargs={"pk": nudity.pk})
    client.post(url, warning_form(nudity, level=str(Level.NOTICE)))
    client.post(url, warning_form(nudity, level=str(Level.ADULT)))

    page = client.get(url).content.decode()

    assert "Level history" in page
    assert page.count("<td>sora@pinsenpai.example</td>") == 2
    assert "Adult (18+) → Notice" in page
    assert "Notice → Adult (18+)" in page
