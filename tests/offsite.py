"""Off-site redirect targets in the forms that slip past naive checks, and where a browser would
really go when it reads a `Location` header (the WHATWG URL parser's reading, not urllib's)."""

from urllib.parse import urlsplit

EVIL = "evil.example"

BYPASS_FORMS = (
    f"https://{EVIL}",
    f"//{EVIL}",
    f"///{EVIL}",
    f"http://host@{EVIL}",
    f"http://127.0.0.1@{EVIL}",
    f"/\\{EVIL}",
    f"\\\\{EVIL}",
    f"https:{EVIL}",
    f"%2F%2F{EVIL}",
    f"\t//{EVIL}",
    f"/\t/{EVIL}",
    f" //{EVIL}/path?x=1",
)

SPECIAL_SCHEMES = {"http", "https"}
_TAB_OR_NEWLINE = str.maketrans("", "", "\t\n\r")
_C0_OR_SPACE = "".join(chr(c) for c in range(0x21))


def browser_host(location: str, *, base: str = "http://testserver/") -> str:
    """The host a browser on `base` goes to for this `Location` ("" for a scheme it would not
    follow as a page, e.g. `javascript:`). Browsers drop tabs and newlines anywhere, trim C0
    controls and spaces, read `\\` as `/` in http(s) URLs, and take any run of slashes after the
    scheme (or a leading `//`) as the start of a host."""
    url = location.strip(_C0_OR_SPACE).translate(_TAB_OR_NEWLINE)
    base_scheme, base_host = urlsplit(base).scheme, urlsplit(base).hostname
    scheme, sep, rest = url.partition(":")
    has_scheme = sep and scheme and scheme[0].isalpha() and "/" not in scheme and "\\" not in scheme
    if has_scheme:
        scheme = scheme.lower()
        if scheme not in SPECIAL_SCHEMES:
            return ""
        rest = rest.replace("\\", "/")
        if scheme == base_scheme and not rest.startswith("//"):
            return base_host  # "http:path" on an http page is a relative path
        return _host(rest)
    url = url.replace("\\", "/")
    if url.startswith("//"):
        return _host(url)
    return base_host


def _host(after_scheme: str) -> str:
    authority = after_scheme.lstrip("/")
    for end in "/?#":
        authority = authority.split(end, 1)[0]
    authority = authority.rpartition("@")[2]
    return authority.rsplit(":", 1)[0].lower() if authority.count(":") == 1 else authority.lower()
