"""catalogue.parsing reads what the browser sends: only ASCII digits make a number, every size is
bounded, and anything else is None, "" or () — never an exception."""

from hypothesis import given
from hypothesis import strategies as st

from catalogue.parsing import (
    MAX_ID,
    MAX_VALUES,
    is_id_argument,
    parse_choices,
    parse_id,
    parse_ids,
    parse_int,
    parse_page,
    parse_slugs,
    parse_text,
)

ANYTHING = st.one_of(st.none(), st.text(), st.integers().map(str))


def test_only_ascii_digits_make_a_number():
    assert parse_int("42", lo=0, hi=100) == 42
    assert parse_int("-3", lo=-5, hi=5) == -3
    for value in ["²", "①", "٣", "\N{FULLWIDTH DIGIT ONE}", "1.5", "1e3", " 1", "+1", "0x1", ""]:
        assert parse_int(value, lo=0, hi=100) is None, value


def test_an_id_is_positive_and_fits_an_integer_column():
    assert parse_id("1") == 1
    assert parse_id(str(MAX_ID)) == MAX_ID
    assert parse_id(7) == 7
    for value in ["0", "-1", str(MAX_ID + 1), "9" * 20, "9" * 5000, 0, MAX_ID + 1, None]:
        assert parse_id(value) is None, value


def test_repeated_ids_are_read_once_and_only_the_first_few():
    assert parse_ids(["3", "3", "²", "1", "abc", "9" * 20]) == (3, 1)
    assert len(parse_ids([str(n) for n in range(1, 1000)])) == MAX_VALUES


def test_a_page_is_the_first_when_absent_and_none_when_it_cannot_be_one():
    assert parse_page(None) == parse_page("") == 1
    assert parse_page("3") == 3
    assert parse_page("0") is parse_page("last") is parse_page("٢") is None


def test_slugs_and_choices_keep_known_shapes_only():
    assert parse_slugs(["enamel-pin", "x\n", "a" * 129, "'; drop", "café"]) == (
        "enamel-pin",
        "café",
    )
    assert parse_choices(["10-20", "nope", "10-20"], {"10-20", "20-30"}) == ("10-20",)


def test_search_text_is_trimmed_cut_and_free_of_control_characters():
    assert parse_text("  pin\x00badge\x1b ", max_length=200) == "pin badge"
    assert parse_text("a" * 5000, max_length=200) == "a" * 200
    assert parse_text(None, max_length=200) == ""


def test_url_arguments_that_name_a_row_by_integer_key():
    assert is_id_argument("pk", "5") and is_id_argument("product_pk", "5")
    assert is_id_argument("line_id", "5") and is_id_argument("anything", 5)
    assert not is_id_argument("object_id", "GB")  # the admin's own key, parsed by the admin
    assert not is_id_argument("slug", "5") and not is_id_argument("key", "abc")
    assert not is_id_argument("flag", True)


@given(value=ANYTHING, lo=st.integers(-(2**40), 0), hi=st.integers(0, 2**40))
def test_parse_int_never_raises_and_stays_in_bounds(value, lo, hi):
    number = parse_int(value, lo=lo, hi=hi)
    assert number is None or lo <= number <= hi


@given(values=st.lists(ANYTHING.filter(lambda v: v is not None), max_size=50))
def test_every_parser_answers_for_any_list_of_strings(values):
    assert all(1 <= pk <= MAX_ID for pk in parse_ids(values))
    assert len(parse_slugs(values)) <= MAX_VALUES
    for value in values:
        assert len(parse_text(value, max_length=10)) <= 10
