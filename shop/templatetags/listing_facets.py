"""`{% facet_choices facet %}`: a listing's facet values as the filter form's list items
(templates/shop/partials/facets.html), written out in Python: a sidebar lists dozens of values
(every franchise and character), and through the template engine each cost ~250 Python calls."""

from html import escape

from django import template
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

SHOWN_FIRST = 12  # values past these are folded away (facet__value--more) until asked for
FOLDED = ' class="facet__value--more"'


@register.simple_tag
def facet_choices(facet) -> SafeString:
    param = escape(facet.param)
    items = []
    for position, value in enumerate(facet.values, start=1):
        folded = position > SHOWN_FIRST and not value.is_selected
        items.append(
            f"<li{FOLDED if folded else ''}><label>"
            f'<input type="checkbox" name="{param}" value="{escape(str(value.value))}"'
            f"{' checked' if value.is_selected else ''}>"
            f'<span class="facet__label">{escape(str(value.label))}</span>'
            f'<span class="facet__count" aria-label="{escape(value.count_label)}">'
            f"{escape(str(localize(value.count)))}</span></label></li>"
        )
    return mark_safe("".join(items))
