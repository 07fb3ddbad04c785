"""Oscar's shipping admin, unchanged."""

from oscar.apps.shipping.admin import *  # noqa: F403
