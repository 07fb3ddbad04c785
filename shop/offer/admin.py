"""Oscar's offer admin, unchanged."""

from oscar.apps.offer.admin import *  # noqa: F403
