"""Demo accounts: the demo seed's staff login has a published password, so it signs in only while
DEBUG is on. The seed marks each account it makes (`mark_as_demo`); the shop's one backend
(shop.accounts.backends) asks `may_sign_in` after the password matched, so a database promoted
from a demo cannot be signed into with the printed password, from any form."""

from django.conf import settings
from django.contrib.auth.models import Group

DEMO_GROUP = "Demo accounts (sign in only with DEBUG)"


def mark_as_demo(user) -> None:
    group, _created = Group.objects.get_or_create(name=DEMO_GROUP)
    user.groups.add(group)


def is_demo_account(user) -> bool:
    return user.groups.filter(name=DEMO_GROUP).exists()


def may_sign_in(user) -> bool:
    return settings.DEBUG or not is_demo_account(user)
