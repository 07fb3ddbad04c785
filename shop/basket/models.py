"""The basket's models are Oscar's; the fork exists for the 18+ rule in forms.py and views.py."""

from oscar.apps.basket.models import *  # noqa: F403
