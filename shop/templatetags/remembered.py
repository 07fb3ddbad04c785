"""`{% remembered a b … %}…{% endremembered %}`: markup every page repeats, rendered once per
process for each value of what it shows.

The header, footer and the pages' style and script links are the same on every page for the same
language, URL prefix, basket count and signed-in state, but their `{% url %}`, `{% static %}` and
`{% trans %}` tags cost about 3,000 Python calls a page, which pages the page cache does not keep
(the basket, checkout, signed-in shoppers) paid on every request. A remembered block is rendered
the first time for each combination of the values it names, the active language, the script
prefix and the URLconf, and its output reused after that. What it holds must depend on nothing
else: no database rows (those belong to the page cache and its tags), no CSRF token, no nonce,
nothing from the request that is not named.
"""

from __future__ import annotations

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf
from django.utils.translation import get_language

register = template.Library()

# A block varies over a few values (a basket count, a checkout step): this only bounds a mistake.
MAX_OUTPUTS = 2000
_outputs: dict[tuple, str] = {}


@register.tag
def remembered(parser, token):
    vary_on = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("endremembered",))
    parser.delete_first_token()
    return RememberedNode(nodelist, vary_on)


class RememberedNode(template.Node):
    def __init__(self, nodelist, vary_on):
        self.nodelist = nodelist
        self.vary_on = vary_on

    def render(self, context):
        key = (
            self,
            get_language(),
            get_script_prefix(),
            get_urlconf(),
            *(value.resolve(context) for value in self.vary_on),
        )
        try:
            return _outputs[key]
        except KeyError:
            pass
        except TypeError:  # a value that cannot be a key: rendered every time
            return self.nodelist.render(context)
        output = self.nodelist.render(context)
        if len(_outputs) >= MAX_OUTPUTS:
            _outputs.clear()
        _outputs[key] = output
        return output


def forget() -> None:
    _outputs.clear()


@receiver(setting_changed)
def _forget_on_setting_change(**kwargs):
    # The blocks show settings (the shop's name, STATIC_URL, the URLconf, the languages).
    forget()
