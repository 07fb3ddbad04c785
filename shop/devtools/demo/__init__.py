"""The demo shop behind `manage.py seed_demo` and `make run`: the catalogue story (catalogue.py),
the blog's articles (articles.py), artwork drawn with Pillow (artwork.py), and the seeding (seed.py)."""
