"""Bulk dispatch from a CSV file (order number, carrier, tracking number): every row is checked
before any is applied, and the file is applied whole or not at all.

`read_rows` parses the upload (UTF-8 with or without a BOM, blank lines and spaces ignored, a
header row optional); `check` says of each row whether it can go, with a fixed number of
queries for the whole file; `apply` dispatches every row in one transaction and, if any order
refuses at that moment (another member of staff got there first), rolls all of them back.
"""

import csv
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from shop.order import pipeline
from shop.order.fulfilment import DispatchRefused, dispatch
from shop.order.models import Carrier, carrier_from_text, clean_tracking_number

Order = get_model("order", "Order")

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
HEADER_WORDS = {"order", "ordernumber", "order_number", "order no", "number", "order #"}


class BadFile(Exception):
    """The upload cannot be read as the CSV described; nothing was dispatched."""


@dataclass
class Row:
    line: int  # where it is in the file, as a spreadsheet numbers it
    order_number: str
    carrier_text: str
    tracking_text: str
    carrier: str | None = None
    tracking_number: str = ""
    order: object = None
    refusals: list[str] = field(default_factory=list)

    @property
    def is_refused(self) -> bool:
        return bool(self.refusals)

    @property
    def carrier_label(self) -> str:
        return Carrier(self.carrier).label if self.carrier else self.carrier_text


def read_rows(upload) -> list[Row]:
    """The rows of an uploaded file, or BadFile."""
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise BadFile(_("The file is larger than 2 MB; split it into smaller files."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadFile(
            _("The file is not UTF-8 text; save it from the spreadsheet as CSV (UTF-8).")
        ) from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = []
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        for cells in reader:
            cells = [cell.strip() for cell in cells]
            if not any(cells):
                continue
            if not rows and _is_header(cells):
                continue
            padded = [*cells, "", "", ""]
            row = Row(reader.line_num, padded[0], padded[1], padded[2])
            if len([cell for cell in cells if cell]) > 3 or len(cells) < 3:
                row.refusals.append(
                    _("expected 3 columns (order number, carrier, tracking number)")
                )
            rows.append(row)
            if len(rows) > MAX_ROWS:
                raise BadFile(_("The file has more than %s rows; split it.") % MAX_ROWS)
    except csv.Error as error:
        raise BadFile(
            _("Line %(line)s cannot be read: %(error)s") % {"line": reader.line_num, "error": error}
        ) from None
    if not rows:
        raise BadFile(_("The file has no rows to dispatch."))
    return rows


def _is_header(cells) -> bool:
    return cells[0].lower() in HEADER_WORDS or (len(cells) > 1 and cells[1].lower() == "carrier")


def check(rows: list[Row]) -> None:
    """Note on each row why it cannot be dispatched, if it cannot. One query for the file."""
    orders = Order.objects.in_bulk(
        [row.order_number for row in rows if row.order_number], field_name="number"
    )
    first_row_of: dict[str, int] = {}
    for row in rows:
        row.carrier = carrier_from_text(row.carrier_text)
        if row.carrier is None:
            row.refusals.append(_("bad carrier “%s”") % row.carrier_text)
        try:
            row.tracking_number = clean_tracking_number(row.tracking_text)
        except Exception:
            row.refusals.append(_("bad tracking number “%s”") % row.tracking_text)
        if row.order_number in first_row_of:
            row.refusals.append(
                _("duplicate row (order %(number)s is already in row %(row)s)")
                % {"number": row.order_number, "row": first_row_of[row.order_number]}
            )
            continue
        first_row_of[row.order_number] = row.line
        row.order = orders.get(row.order_number)
        if row.order is None:
            row.refusals.append(_("unknown order “%s”") % row.order_number)
        elif row.order.status == pipeline.DISPATCHED:
            row.refusals.append(_("already dispatched"))
        elif row.order.status not in (pipeline.PAID, pipeline.PARTIALLY_DISPATCHED):
            row.refusals.append(_("not paid (status “%s”)") % row.order.status)


class _Refused(Exception):
    pass


def apply(rows: list[Row], *, by) -> bool:
    """Dispatch every row, all or none: True if all went; else the refusing row says why."""
    try:
        with transaction.atomic():
            for row in rows:
                try:
                    dispatch(
                        row.order,
                        carrier=row.carrier,
                        tracking_number=row.tracking_number,
                        by=by,
                    )
                except DispatchRefused as error:
                    row.refusals.append(str(error))
                    raise _Refused from None
    except _Refused:
        return False
    return True
