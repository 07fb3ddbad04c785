"""The login throttle's hooks into django-axes (settings AXES_*): which address an attempt comes
from, which account it is against, and the page a locked-out visitor sees.

An attempt counts against the account it names, however it was spelt (letter case, spaces, the
e-mail address or the username), and the address the outermost trusted proxy saw: X-Forwarded-For
is read only as far as TRUSTED_PROXY_COUNT proxies of ours wrote it, so a client cannot reset its
count by sending a header of its own.
"""

import ipaddress

from django.conf import settings
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from shop.accounts.backends import accounts_for

MEMO = "_shop_lockout_usernames"


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    if len(forwarded) < hops:  # not through all our proxies: only the connection is known
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-hops].strip()))
    except ValueError:
        return remote


def lockout_username(request, credentials) -> str | None:
    """The account's username when the identifier names one account, else the identifier in
    lower case: unknown names are counted (and locked) just like known ones."""
    identifier = (credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD)
    if not identifier:
        return None
    identifier = str(identifier).strip()
    memo = request.__dict__.setdefault(MEMO, {})  # axes asks several times per attempt
    if identifier not in memo:
        usernames = set(accounts_for(identifier).values_list("username", flat=True)[:2])
        memo[identifier] = usernames.pop() if len(usernames) == 1 else identifier.lower()
    return memo[identifier]


def locked_out(request, original_response=None, credentials=None):
    """The same page for every locked-out attempt, whether or not the account exists."""
    cool_off = int(settings.AXES_COOLOFF_TIME.total_seconds())
    response = render(
        request,
        "shop/accounts/locked_out.html",
        {"cool_off_minutes": cool_off // 60},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    add_never_cache_headers(response)
    response["Retry-After"] = str(cool_off)
    return response
