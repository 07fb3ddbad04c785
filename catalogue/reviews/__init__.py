"""The shop's fork of Oscar's review views and form (loaded by Oscar's reviews app through
get_class("catalogue.reviews.…")): pages in the shop's look, throttled, plain-text reviews."""
