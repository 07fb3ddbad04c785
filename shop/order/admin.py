"""Oscar's order admin, unchanged."""

from oscar.apps.order.admin import *  # noqa: F403
