"""The account's objects in memory: ids, lookups, the views the API returns (with `expand[]`)
and Stripe's paginated lists. Every other part of the Simulator reads and writes through these."""

import secrets
import string
from collections.abc import Iterable
from datetime import UTC, datetime

from . import forms
from .errors import InvalidParams, ResourceMissing


def new_id(prefix: str, length: int = 24) -> str:
    """An id shaped like Stripe's: `pi_` and 24 letters and digits."""
    return f"{prefix}_{random_text(length)}"


ALPHABET = string.ascii_letters + string.digits


def random_text(length: int) -> str:
    # One read of the system's randomness, not one per character (`secrets.choice`): a drop's
    # orders make a dozen ids each. Each byte picks a character; the slight lean of 256 bytes
    # over 62 characters matters to no one reading a simulator's ids.
    return "".join(ALPHABET[byte % len(ALPHABET)] for byte in secrets.token_bytes(length))


def json_copy(value):
    """A deep copy of JSON-shaped data (dicts, lists, tuples and scalars), as `copy.deepcopy` makes
    it without the memo and the dispatch on every value's type: several times cheaper, and every
    answer and event is one."""
    if isinstance(value, dict):
        return {key: json_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_copy(item) for item in value]
    if isinstance(value, tuple):
        return tuple(json_copy(item) for item in value)
    return value


# The error messages name objects the way Stripe's do ("No such PaymentMethod: 'pm_x'").
KIND_NAMES = {"payment_method": "PaymentMethod", "confirmation_token": "ConfirmationToken"}
# The fields `expand[]` can turn into objects, and the kind of object each becomes.
EXPANDABLE = {
    "payment_intent": {"latest_charge": "charge", "payment_method": "payment_method"},
    "charge": {"payment_intent": "payment_intent"},
    "refund": {"charge": "charge", "payment_intent": "payment_intent"},
}


def expand_param(params: dict, kind: str, *, is_list: bool = False) -> list[str]:
    """The `expand[]` paths, checked before anything changes (Stripe refuses unknown ones)."""
    paths = forms.as_list(params.get("expand", []), "expand")
    for path in paths:
        fields = path.split(".")
        if is_list:  # a list's paths start at its items: "data.latest_charge"
            if fields[0] != "data" or len(fields) == 1:
                raise InvalidParams(
                    f"This property cannot be expanded ({fields[0]}).", param="expand"
                )
            fields = fields[1:]
        current = kind
        for field in fields:
            current = EXPANDABLE.get(current, {}).get(field)
            if current is None:
                raise InvalidParams(f"This property cannot be expanded ({field}).", param="expand")
    return paths


class Store:
    """Objects by id, oldest first (`self._objects`), read under `self._lock` with `self._clock`."""

    @property
    def payment_intents(self) -> dict[str, dict]:
        return self._all("payment_intent")

    @property
    def charges(self) -> dict[str, dict]:
        return self._all("charge")

    @property
    def refunds(self) -> dict[str, dict]:
        return self._all("refund")

    @property
    def events(self) -> list[dict]:
        """Every event so far, oldest first."""
        return list(self._all("event").values())

    def _now(self) -> int:
        return int(self._clock())

    def _today(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), UTC)

    def _store(self, obj: dict) -> dict:
        self._objects[obj["id"]] = obj
        self._index(obj)
        return obj

    def _index_refunds(self) -> None:
        """Each charge's refunds, oldest first, from the objects (after they are loaded)."""
        self._refunds_by_charge = {}
        for obj in self._objects.values():
            self._index(obj)

    def _index(self, obj: dict) -> None:
        if obj["object"] == "refund":
            self._refunds_by_charge.setdefault(obj["charge"], {})[obj["id"]] = None

    def _get(self, kind: str, object_id: str, *, param: str | None = None) -> dict:
        obj = self._objects.get(object_id) if isinstance(object_id, str) else None
        if obj is None or obj["object"] != kind:
            raise ResourceMissing(KIND_NAMES.get(kind, kind), str(object_id), param)
        return obj

    def _all(self, kind: str) -> dict[str, dict]:
        with self._lock:
            return {
                obj["id"]: self._view(obj)
                for obj in self._objects.values()
                if obj["object"] == kind
            }

    def _view(self, obj: dict, expand: Iterable[str] = ()) -> dict:
        """A copy for the outside world, with what Stripe computes (a charge's refunds)."""
        view = json_copy(obj)
        if obj["object"] == "charge":
            # By the charge's own index: a scan of every object made each view of a charge
            # slower as the account grew, a drop's harness slower by the minute.
            refunds = [
                self._view(self._objects[refund_id])
                for refund_id in reversed(self._refunds_by_charge.get(obj["id"], {}))
            ]
            view["refunds"] = {
                "object": "list",
                "data": refunds,
                "has_more": False,
                "total_count": len(refunds),
                "url": f"/v1/charges/{obj['id']}/refunds",
            }
        for path in expand:
            self._expand(view, path.split("."))
        return view

    def _expand(self, view: dict, path: list[str]) -> None:
        """Replace ids along `path` (checked by `expand_param`) with their objects."""
        field, rest = path[0], path[1:]
        if view["object"] == "list":
            for item in view["data"]:
                self._expand(item, rest)
            return
        if isinstance(view[field], str):
            view[field] = self._view(self._objects[view[field]])
        if rest and view[field] is not None:
            self._expand(view[field], rest)

    def _page(self, kind: str, params: dict, url: str, where=None, **filters) -> dict:
        """One page of a list, newest first, with Stripe's cursor and `created` filters."""
        expand = expand_param(params, kind, is_list=True)
        limit = forms.positive_int(params, "limit") or 10
        if limit > 100:
            raise InvalidParams(
                "This value must be less than or equal to 100.",
                param="limit",
                code="parameter_invalid_integer",
            )
        created = forms.created_filter(params.get("created"))
        items = [
            obj
            for obj in reversed(self._objects.values())
            if obj["object"] == kind
            and created(obj["created"])
            and all(obj.get(field) == value for field, value in filters.items())
            and (where is None or where(obj))
        ]
        ids = [obj["id"] for obj in items]
        if "ending_before" in params:
            newer = items[: self._cursor(ids, kind, params, "ending_before")]
            shown, has_more = newer[-limit:], len(newer) > limit
        else:
            if "starting_after" in params:
                items = items[self._cursor(ids, kind, params, "starting_after") + 1 :]
            shown, has_more = items[:limit], len(items) > limit
        page = {
            "object": "list",
            "data": [self._view(obj) for obj in shown],
            "has_more": has_more,
            "url": url,
        }
        for path in expand:
            self._expand(page, path.split("."))
        return page

    def _cursor(self, ids: list[str], kind: str, params: dict, param: str) -> int:
        if params[param] not in ids:
            self._get(kind, params[param], param=param)  # 404 for an unknown id
            raise InvalidParams(f"{params[param]} is not in this list.", param=param)
        return ids.index(params[param])
