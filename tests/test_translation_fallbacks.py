"""A message no catalogue holds is not passed through a chain of empty catalogues (each app's en
catalogue behind its en_GB one) before it comes back; the translations read the same."""

import pytest
from django.utils import translation
from django.utils.translation import trans_real

from shop.i18n import drop_empty_fallbacks, holds_no_messages

pytestmark = pytest.mark.django_db  # the suite's autouse fixtures read the database

MESSAGES = ["Basket", "Continue shopping", "This field is required.", "Postcode"]


def fallbacks(language: str) -> list:
    found, fallback = [], trans_real.translation(language)._fallback
    while fallback is not None:
        found.append(fallback)
        fallback = fallback._fallback
    return found


@pytest.fixture
def fresh_translations(monkeypatch):
    """Translations built again, as the first request of a process builds them."""
    monkeypatch.setattr(trans_real, "_translations", {})
    monkeypatch.setattr(trans_real, "_default", None)
    yield
    trans_real._translations = {}


def test_the_site_language_has_no_empty_fallbacks_and_translates_the_same(fresh_translations):
    with translation.override("en-gb"):
        before = [translation.gettext(m) for m in MESSAGES]
        before_plural = translation.ngettext("%(n)s item", "%(n)s items", 2)
        before_context = translation.pgettext("abbrev. month", "Jan.")
        assert any(holds_no_messages(f) for f in fallbacks("en-gb")), "nothing to drop"

        drop_empty_fallbacks()

        assert [f for f in fallbacks("en-gb") if holds_no_messages(f)] == []
        assert [translation.gettext(m) for m in MESSAGES] == before
        assert translation.ngettext("%(n)s item", "%(n)s items", 2) == before_plural
        assert translation.pgettext("abbrev. month", "Jan.") == before_context
