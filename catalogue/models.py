"""Catalogue models. Ours are declared above the import of Oscar's, as Oscar's forking guide says."""

from oscar.apps.catalogue.models import *  # noqa: F403
