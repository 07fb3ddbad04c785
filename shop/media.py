"""Uploads, where the app serves them itself (DEBUG and `serve_demo`): a picture is sent as the
picture it is, anything else as a download, and nothing is ever sniffed into a page.

In production the proxy or the object store serves MEDIA_URL by the same rule (README, "Security").
"""

from django.conf import settings
from django.urls import re_path
from django.views import static

# What catalogue.image_policy stores, and what sorl-thumbnail writes.
PICTURE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
# Even opened directly, a media response may run nothing, load nothing and be framed by no one.
SANDBOX = "default-src 'none'; sandbox"


def serve_media(request, path):
    response = static.serve(request, path, document_root=settings.MEDIA_ROOT)
    if response.get("Content-Type") not in PICTURE_TYPES:
        response["Content-Type"] = "application/octet-stream"
        response["Content-Disposition"] = "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX
    return response


urlpatterns = [re_path(rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$", serve_media)]
