"""Where a view sends the browser next: only ever a page of this site.

`next` fields and the Referer header come from the browser, so an address in them is followed only
when Django's `url_has_allowed_host_and_scheme` accepts it for this request's host (and over https
when the request came over https: no downgrade). Every view of ours that redirects to a
browser-given address asks here; it lives in the catalogue because the catalogue is the base that
the blog and the project package both build on.
"""

from urllib.parse import urlsplit

from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def is_on_site(request, url: str | None) -> bool:
    """Whether `url` is a page of this site: an absolute path, or a full address on this
    request's host. A relative path ("basket/") would depend on the page the browser is on."""
    url = (url or "").strip()
    return (url.startswith("/") or bool(urlsplit(url).scheme)) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def next_url(request, *, default, referrer: bool = True) -> str:
    """The request's `next` (POSTed, else in the query string), else the page it came from
    (Referer, unless `referrer=False`), whichever first is on this site; else `default` (a URL,
    a URL name or a model with `get_absolute_url`, as `resolve_url` takes)."""
    candidates = [request.POST.get("next"), request.GET.get("next")]
    if referrer:
        candidates.append(request.META.get("HTTP_REFERER"))
    for candidate in candidates:
        if candidate and is_on_site(request, candidate):
            return candidate.strip()  # as checked: the check ignores surrounding whitespace
    return resolve_url(default)
