"""The shop's fork of Oscar's catalogue: anime-merch product data (franchises, attributes, warnings)."""

import oscar.apps.catalogue.apps as apps


class CatalogueConfig(apps.CatalogueConfig):
    name = "catalogue"
