"""Oscar's order admin, and the shipments staff recorded."""

from django.contrib import admin
from oscar.apps.order.admin import *  # noqa: F403

from shop.order.models import Shipment


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin):
    list_display = ("order", "carrier", "tracking_number", "created", "created_by")
    list_filter = ("carrier",)
    search_fields = ("order__number", "tracking_number")
    list_select_related = ("order", "created_by")
    raw_id_fields = ("order", "event", "created_by")
    readonly_fields = ("created",)
