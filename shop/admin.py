"""Oscar's stock record admin, with allocations shown but never edited (shop.stock)."""

from django.contrib import admin
from oscar.apps.partner.admin import StockRecordAdmin as OscarStockRecordAdmin
from oscar.core.loading import get_model

from shop.stock import save_stock_edit

StockRecord = get_model("partner", "StockRecord")

admin.site.unregister(StockRecord)


@admin.register(StockRecord)
class StockRecordAdmin(OscarStockRecordAdmin):
    list_display = (*OscarStockRecordAdmin.list_display, "num_allocated")
    readonly_fields = ("num_allocated",)

    def save_model(self, request, obj, form, change):
        if change:
            save_stock_edit(obj, changed=form.changed_data)
        else:
            super().save_model(request, obj, form, change)
