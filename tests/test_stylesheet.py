"""The site stylesheet closes every block it opens: a rule written after an unclosed @media block
would apply only inside it (the spoiler and glossary styles once applied only on phones)."""

import re
from pathlib import Path

from django.conf import settings

STYLESHEETS = ("static/shop/css/shop.css", "static/blog/admin/editor.css")


def test_every_block_the_stylesheets_open_is_closed_before_the_next_top_level_rule():
    for name in STYLESHEETS:
        css = re.sub(r"/\*.*?\*/", "", (Path(settings.BASE_DIR) / name).read_text(), flags=re.S)
        depth = 0
        for number, line in enumerate(css.splitlines(), start=1):
            if depth and line and not line[0].isspace() and line[0] not in "}":
                raise AssertionError(f"{name}:{number} starts a rule inside an unclosed block")
            depth += line.count("{") - line.count("}")
            assert depth >= 0, f"{name}:{number} closes a block it never opened"
        assert depth == 0, f"{name} ends inside {depth} open block(s)"
