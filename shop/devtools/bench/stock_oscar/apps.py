from django.apps import AppConfig


class StockOscarConfig(AppConfig):
    """Only its seed command: stock Oscar's settings list it so that `manage.py` finds the command."""

    name = "shop.devtools.bench.stock_oscar"
    label = "stock_oscar"
    verbose_name = "Stock Oscar (benchmark)"
