"""Stripe's request parameters: the bracketed form encoding read back, and the value checks.

The SDK and Stripe.js send every parameter as `application/x-www-form-urlencoded` with brackets for
nesting (`metadata[basket_id]=7`). Arrays arrive as `expand[0]=…` (the SDK) or `expand[]=…`
(browsers); `as_list` reads both. The checks raise FormError with Stripe's wording and codes.
"""

import operator
import re
from collections.abc import Callable
from urllib.parse import parse_qsl, urlsplit

_KEY = re.compile(r"(?P<name>[^\[\]]+)(?P<path>(?:\[[^\[\]]*\])*)")
_SEGMENT = re.compile(r"\[([^\[\]]*)\]")
_COMPARISONS = {
    "eq": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


class FormError(ValueError):
    """A parameter Stripe would refuse before acting (400 invalid_request_error)."""

    def __init__(self, message: str, *, param: str | None = None, code: str | None = None):
        super().__init__(message)
        self.param = param
        self.code = code


def parse_form(encoded: str | bytes) -> dict:
    """Nested dicts of strings; `[]` appends to a list, `[0]` stays a dict key (see `as_list`)."""
    if isinstance(encoded, bytes):
        encoded = encoded.decode("utf-8")
    params: dict = {}
    for key, value in parse_qsl(encoded, keep_blank_values=True):
        _assign(params, _key_path(key), value, key)
    return params


# Stripe's integers and card digits are ASCII: str.isdigit() also takes "²", which int() refuses,
# and `\d` full-width digits, which int() reads. 19 digits hold a card number and any int64.
DIGITS = re.compile(r"[0-9]{1,19}")


def is_digits(value) -> bool:
    return isinstance(value, str) and DIGITS.fullmatch(value) is not None


def as_list(value, param: str) -> list:
    """An array parameter as a list, whichever way it was encoded."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict) and all(is_digits(index) for index in value):
        return [value[index] for index in sorted(value, key=int)]
    raise FormError(f"Invalid array: {param} must be an array.", param=param)


def allow_only(params: dict, allowed: set[str]) -> None:
    for name in params:
        if name not in allowed:
            raise FormError(
                f"Received unknown parameter: {name}", param=name, code="parameter_unknown"
            )


def positive_int(params: dict, name: str, *, required: bool = False) -> int | None:
    value = params.get(name)
    if value is None:
        if required:
            raise FormError(
                f"Missing required param: {name}.", param=name, code="parameter_missing"
            )
        return None
    if not isinstance(value, str) or not is_digits(value.removeprefix("-")):
        raise FormError(f"Invalid integer: {value}", param=name, code="parameter_invalid_integer")
    if int(value) < 1:
        raise FormError("Invalid positive integer", param=name, code="parameter_invalid_integer")
    return int(value)


def currency_code(params: dict) -> str:
    currency = params.get("currency")
    if currency is None:
        raise FormError(
            "Missing required param: currency.", param="currency", code="parameter_missing"
        )
    if not isinstance(currency, str) or not re.fullmatch(r"[A-Za-z]{3}", currency):
        raise FormError(f"Invalid currency: {currency}.", param="currency")
    return currency.lower()


def boolean(params: dict, name: str, *, default: bool) -> bool:
    value = params.get(name)
    if value is None:
        return default
    if value not in ("true", "false"):
        raise FormError(f"Invalid boolean: {value}", param=name, code="parameter_invalid_boolean")
    return value == "true"


def choice(params: dict, name: str, choices: tuple, default):
    value = params.get(name, default)
    if value is not default and value not in choices:
        raise FormError(f"Invalid {name}: must be one of {', '.join(choices)}", param=name)
    return value


def merged_metadata(value, current: dict) -> dict:
    """Stripe's metadata rules: strings, up to 50 keys; an empty value deletes the key."""
    if value is None:
        return dict(current)
    if value == "":
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise FormError("Invalid hash", param="metadata")
    merged = {**current, **value}
    merged = {key: text for key, text in merged.items() if text != ""}
    for key, text in merged.items():
        if len(key) > 40 or len(text) > 500:
            raise FormError(
                f"Metadata keys can be up to 40 characters and values up to 500 ({key}).",
                param=f"metadata[{key}]",
            )
    if len(merged) > 50:
        raise FormError("You can have up to 50 metadata keys.", param="metadata")
    return merged


def created_filter(value) -> Callable[[int], bool]:
    """`created=123` or `created[gte]=…&created[lt]=…`, as a test on a timestamp."""
    if value is None:
        return lambda created: True
    bounds = value if isinstance(value, dict) else {"eq": value}
    checks = []
    for name, bound in bounds.items():
        if name not in _COMPARISONS or not is_digits(bound):
            raise FormError(f"Invalid created filter: {name}", param="created")
        checks.append((_COMPARISONS[name], int(bound)))
    return lambda created: all(compare(created, bound) for compare, bound in checks)


def check_url(url: str, param: str) -> None:
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise FormError("Not a valid URL", param=param, code="url_invalid")


def _key_path(key: str) -> list[str]:
    match = _KEY.fullmatch(key)
    if match is None:
        return [key]
    return [match["name"], *_SEGMENT.findall(match["path"])]


def _assign(params: dict, path: list[str], value: str, key: str) -> None:
    container = params
    for depth, segment in enumerate(path):
        is_last = depth == len(path) - 1
        if segment == "":
            if not is_last or not isinstance(container, list):
                raise FormError(f"Invalid array: {key}", param=key)
            container.append(value)
            return
        if not isinstance(container, dict):
            raise FormError(f"Invalid hash: {key}", param=key)
        if is_last:
            if isinstance(container.get(segment), dict | list):
                raise FormError(f"Invalid string: {key} must be a string.", param=key)
            container[segment] = value
            return
        appends = path[depth + 1] == ""
        child = container.setdefault(segment, [] if appends else {})
        if isinstance(child, str) or isinstance(child, list) != appends:
            raise FormError(f"Invalid hash: {key}", param=key)
        container = child
