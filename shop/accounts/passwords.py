"""Password rules of our own, beside Django's validators (AUTH_PASSWORD_VALIDATORS)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MESSAGE = "Your password can't contain the shop's name."


def _squashed(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())


class ShopNameValidator:
    """Refuses a password that contains the shop's name (in any case, spacing or punctuation):
    the first word an attacker targeting this shop tries. UserAttributeSimilarityValidator only
    compares against the user's own fields. `names` adds words, such as the domain's."""

    def __init__(self, names=()):
        self.names = names

    def validate(self, password, user=None):
        squashed = _squashed(password)
        names = filter(None, map(_squashed, [settings.OSCAR_SHOP_NAME, *self.names]))
        if any(name in squashed for name in names):
            raise ValidationError(_(MESSAGE), code="password_contains_shop_name")

    def get_help_text(self):
        return _(MESSAGE)
