"""The order models are Oscar's; the fork exists for safe stock allocation (utils.py)."""

from oscar.apps.order.models import *  # noqa: F403
