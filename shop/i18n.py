"""Translation catalogues without the empty ones behind them.

A message no catalogue holds (most of this shop's: it is written in English) is looked up in each of
the active translation's fallbacks before gettext gives it back. For every app shipping both an
en_GB and an en catalogue, Python's gettext chains the en one behind the en_GB one, and Django keeps
those chains: seven catalogues holding nothing but their header, each asked for every such message,
about fifty of them on a basket page. Dropping a fallback with no messages changes no translation:
it would only have passed the question on.
"""

from django.conf import settings
from django.utils.translation import trans_real


def drop_empty_fallbacks() -> None:
    """Unlink the message-less fallbacks of each of the site's languages' translations (built
    here if they were not yet)."""
    if not settings.USE_I18N:
        return
    for code, _name in settings.LANGUAGES:
        translation = trans_real.translation(code)
        kept = translation
        fallback = translation._fallback
        while fallback is not None:
            if holds_no_messages(fallback):
                kept._fallback = fallback._fallback
            else:
                kept = fallback
            fallback = fallback._fallback


def holds_no_messages(translation) -> bool:
    """A gettext catalogue whose only entry is its header (the empty message id)."""
    catalog = getattr(translation, "_catalog", None)
    return isinstance(catalog, dict) and all(key == "" for key in catalog)
