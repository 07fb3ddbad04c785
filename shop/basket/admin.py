"""The basket's admin is Oscar's: the fork changes how products are added, not the data."""

from oscar.apps.basket.admin import *  # noqa: F403
