"""What the storefront keeps in the cache: whole pages for anonymous shoppers (`middleware`) and the
slow parts of listings (`listings`), each kept with the versions of the cache tags it read
(catalogue.generations). `forget_local()` empties this process's layer of whole pages."""

from .local import forget as forget_local

__all__ = ["forget_local"]
