"""What the storefront keeps in the cache: whole pages for anonymous shoppers (`middleware`) and the
slow parts of listings (`listings`). Both key their entries on catalogue.generations."""
