"""The one sanitising policy for staff-written HTML (catalogue.staff_html): what goes, what stays."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalogue.staff_html import sanitise
from tests.catalogue.test_staff_html_on_save import PAYLOADS


@pytest.mark.parametrize("payload", PAYLOADS)
def test_scripts_handlers_frames_styles_and_unsafe_urls_are_removed(payload):
    clean = sanitise(f"<p>Before</p>{payload}<p>After</p>")
    assert "pwn-mark" not in clean.lower()
    assert "<p>Before</p>" in clean
    assert "<p>After</p>" in clean


def test_harmless_markup_survives():
    html = (
        "<p>Hard <strong>enamel</strong>, <em>gold</em> plating.</p>"
        "<ul><li>25 mm</li><li>Two posts</li></ul>"
        '<p><a href="/catalogue/">Shop</a> <a href="mailto:help@example.com">Mail us</a></p>'
    )
    assert sanitise(html, own_hosts=frozenset()) == html


def test_links_to_other_hosts_get_noopener_and_links_to_ours_do_not():
    html = (
        '<a href="https://pins.example/care">Care</a>'
        '<a href="//pins.example/">Protocol-relative</a>'
        '<a href="https://shop.example/catalogue/">Ours</a>'
    )
    clean = sanitise(html, own_hosts=frozenset({"shop.example"}))
    assert '<a rel="noopener noreferrer" href="https://pins.example/care">' in clean
    assert '<a rel="noopener noreferrer" href="//pins.example/">' in clean
    assert '<a href="https://shop.example/catalogue/">' in clean


def test_a_rel_or_target_written_by_staff_is_replaced_by_the_policys_own():
    clean = sanitise(
        '<a href="https://pins.example/" rel="opener" target="_blank">x</a>', own_hosts=frozenset()
    )
    assert clean == '<a rel="noopener noreferrer" href="https://pins.example/">x</a>'


@given(st.text(alphabet=st.sampled_from(list("<>/=\"' &;:apscriptimgonerrohf")), max_size=80))
def test_cleaning_clean_html_changes_nothing(html):
    once = sanitise(html, own_hosts=frozenset())
    assert sanitise(once, own_hosts=frozenset()) == once
