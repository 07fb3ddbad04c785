"""The shipping models are Oscar's; the fork exists for our methods (repository.py)."""

from oscar.apps.shipping.models import *  # noqa: F403
