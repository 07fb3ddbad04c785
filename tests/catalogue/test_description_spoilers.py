"""Spoilers in a product description (staff HTML): kept by the sanitising policy, hidden on the
page until revealed, and never in the meta description, link previews or JSON-LD."""

import pytest

from catalogue.staff_html import sanitise
from tests.factories import merch

pytestmark = pytest.mark.django_db

DESCRIPTION = (
    "<p>A 35 mm hard enamel pin of the finale's "
    '<label class="spoiler-inline"><input type="checkbox" class="spoiler-inline__toggle" '
    'aria-label="Show spoiler"><span class="spoiler-inline__text">winged traitor</span></label>.</p>'
    '<details class="spoiler"><summary>Spoiler: Episode 24</summary>'
    '<div class="spoiler__body"><p>The traitor crowns herself.</p></div></details>'
    "<p>Gold plating, two rubber clutches.</p>"
)


def test_policy_keeps_spoilers_but_no_other_classes_or_inputs():
    hostile = (
        '<label class="spoiler-inline" onclick="x()"><input type="text" name="q" form="checkout" '
        'class="spoiler-inline__toggle"></label><details class="spoiler" open>'
        '<summary class="evil">s</summary></details><div class="evil">k</div>'
        '<p><input type="checkbox" name="agree"></p>'
    )

    assert sanitise(DESCRIPTION) == DESCRIPTION.replace(
        'type="checkbox" class="spoiler-inline__toggle" aria-label="Show spoiler"',
        'class="spoiler-inline__toggle" aria-label="Show spoiler" type="checkbox"',
    )
    assert sanitise(hostile) == (
        '<label class="spoiler-inline"><input class="spoiler-inline__toggle" type="checkbox">'
        '</label><details class="spoiler"><summary>s</summary></details><div>k</div><p></p>'
    )


def test_product_page_hides_spoilers_and_keeps_them_out_of_meta_and_json_ld(client):
    pin = merch("Finale Pin", description=DESCRIPTION)
    page = client.get(pin.get_absolute_url()).content.decode()
    head, body = page.split('<div class="product-description__body">')

    assert "winged traitor" in body and '<details class="spoiler">' in body
    assert "Gold plating, two rubber clutches." in head  # the meta description, without spoilers
    for hidden in ("winged traitor", "crowns herself", "Episode 24"):
        assert hidden not in head
    json_ld = page.split('<script type="application/ld+json">')[1].split("</script>")[0]
    assert "Gold plating" in json_ld and "traitor" not in json_ld
