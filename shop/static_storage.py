"""The production static files storage: WhiteNoise's, remembering each file's URL.

With a manifest, every `{% static %}` splits and unquotes the name, looks it up in the manifest,
joins it to STATIC_URL and quotes and unquotes it again (about 30 Python calls); a page has ten or
more. The manifest only changes with `collectstatic`, which runs in another process before a deploy
starts, so each name's URL is worked out once per process.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage

# What a file's URL is made of besides the manifest (DEBUG serves the unhashed names).
URL_SETTINGS = frozenset({"DEBUG", "STATIC_URL", "STATIC_ROOT"})


class RememberingStaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        self._urls: dict[str, str] = {}
        super().__init__(*args, **kwargs)

    def url(self, name, force=False):
        if force:
            return super().url(name, force=True)
        try:
            return self._urls[name]
        except KeyError:
            url = self._urls[name] = super().url(name)
            return url

    def post_process(self, *args, **kwargs):
        self._urls.clear()
        yield from super().post_process(*args, **kwargs)
        self._urls.clear()

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting in URL_SETTINGS:
            self._urls.clear()
