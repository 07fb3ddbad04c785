"""The dashboard's Articles report: known traffic and orders, every cell of the page and the CSV;
refunds subtracted by the stated rule; sortable; staff who may see orders only; a fixed number of
queries whatever the number of articles and orders (shop.dashboard.articles)."""

import csv
import html
import io
import re
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from oscar.apps.shipping.methods import FixedPrice
from oscar.core.loading import get_class, get_model
from oscar.test.factories import ShippingAddressFactory, create_order, create_product

from blog import attribution
from blog.models import ArticleDay, Post
from catalogue import view_counts
from shop.order.pipeline import CANCELLED
from shop.payments.models import Refund
from tests.blog.conftest import write_post
from tests.factories import merch, staff_member

Basket = get_model("basket", "Basket")
BasketLine = get_model("basket", "Line")
Selector = get_class("partner.strategy", "Selector")

pytestmark = pytest.mark.django_db

REPORT = reverse("dashboard:articles")


def order(*lines, days_ago=0, shipping="0.00"):
    """An order of (product, quantity, article or None) lines, placed `days_ago` days ago."""
    basket = Basket.objects.create()
    basket.strategy = Selector().strategy()
    for product, quantity, post in lines:
        line, _ = basket.add_product(product, quantity)
        BasketLine.objects.filter(pk=line.pk).update(post=post)
    basket._lines = None
    placed = create_order(
        basket=basket,
        shipping_address=ShippingAddressFactory(),
        shipping_method=FixedPrice(Decimal(shipping), Decimal(shipping)),
        guest_email="reader@example.com",
    )
    if days_ago:
        type(placed).objects.filter(pk=placed.pk).update(
            date_placed=timezone.now() - timedelta(days=days_ago)
        )
    return placed


def refund(placed, amount: str):
    Refund.objects.create(
        order=placed, refund_id=f"re_{uuid.uuid4().hex}", amount=Decimal(amount), currency="USD"
    )


def read(client, post, times=1):
    for _ in range(times):
        assert client.get(post.get_absolute_url()).status_code == 200


def follow(client, post, product, times=1):
    for _ in range(times):
        url = reverse("blog:to-product", kwargs={"slug": post.slug, "pk": product.pk})
        assert client.get(url).status_code == 302


def add_from_card(client, post, product):
    response = client.post(
        reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1, "article": post.pk}
    )
    assert response.status_code == 302


@pytest.fixture
def shop(client):
    """Known traffic and orders for two articles, one article with none, and one draft."""
    pin, badge = merch("Sakura Pin", price="10.00", upc="PIN-S"), merch("Fox Badge", price="4.00")
    care = write_post(
        "Pin care", body=f"[[product:PIN-S]]\n\nAnd the [badge]({badge.get_absolute_url()})."
    )
    ntr = write_post("What does NTR mean?", body="[[product:PIN-S]]")
    quiet = write_post("A quiet article", body="Nothing to buy.")
    write_post("A draft", status=Post.Status.DRAFT)

    read(client, care, 4)
    read(client, ntr, 2)
    follow(client, care, pin, 2)
    follow(client, care, badge)
    follow(client, ntr, pin)
    add_from_card(client, care, pin)
    add_from_card(client, ntr, pin)
    client.post(reverse("basket:add", kwargs={"pk": badge.pk}), {"quantity": 1})  # remembered
    view_counts.flush(force=True)
    # Traffic outside the range.
    ArticleDay.objects.create(post=care, day=timezone.localdate() - timedelta(days=40), views=100)

    order((pin, 2, care), (badge, 1, None))  # the badge was not from an article
    # $10 refunded of $20 (with $6 shipping): every line keeps half.
    refund(order((pin, 1, ntr), (badge, 1, care), shipping="6.00"), "10.00")
    refund(order((pin, 1, care)), "10.00")  # all of it back
    order((pin, 1, ntr), days_ago=40)  # outside the range
    # A cancelled line, refunded at its price: the rest of the order keeps its price.
    cancelled = order((pin, 1, ntr), (badge, 2, ntr))
    cancelled.lines.filter(product=badge).update(status=CANCELLED)
    refund(cancelled, "8.00")
    return {"care": care, "ntr": ntr, "quiet": quiet, "pin": pin, "badge": badge}


@pytest.fixture
def manager(client):
    client.force_login(staff_member("manager", permissions=("order.view_order",)))
    return client


def table(page: str, part: str = "tbody") -> list[list[str]]:
    """The report's rows (or, with part="tfoot", its totals row) as their cells' text."""
    body = re.search(rf"<{part}[^>]*>(.*?)</{part}>", page, re.S).group(1)
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_every_cell_reconciles_with_the_traffic_and_the_orders(shop, manager):
    page = manager.get(REPORT).content.decode()

    assert table(page) == [
        ["Pin care", "4", "3", "2", "3", "4", "$22.00", "75.00%"],
        ["What does NTR mean?", "2", "1", "1", "2", "2", "$15.00", "100.00%"],
        ["A quiet article", "0", "0", "0", "0", "0", "$0.00", "—"],
    ]
    assert "A draft" not in page


def test_all_articles_counts_an_order_from_two_articles_once(shop, manager):
    """The second order's pin came from NTR and its badge from Pin care: one order in each
    article's row, one in the totals (4 orders in all, not 5); items and revenue once."""
    page = manager.get(REPORT).content.decode()

    assert table(page, "tfoot") == [["All articles", "6", "4", "3", "4", "6", "$37.00", "66.67%"]]


def test_the_csv_holds_the_same_rows(shop, manager):
    response = manager.get(REPORT, {"format": "csv", "sort": "title"})

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        [
            "article",
            "slug",
            "views",
            "product clicks",
            "adds to basket",
            "orders",
            "items sold",
            "revenue (USD)",
            "conversion (orders per 100 views)",
        ],
        ["A quiet article", "a-quiet-article", "0", "0", "0", "0", "0", "0.00", ""],
        ["Pin care", "pin-care", "4", "3", "2", "3", "4", "22.00", "75.00"],
        ["What does NTR mean?", "what-does-ntr-mean", "2", "1", "1", "2", "2", "15.00", "100.00"],
        ["All articles", "", "6", "4", "3", "4", "6", "37.00", "66.67"],
    ]


def test_a_product_shows_the_articles_that_sold_it(shop, manager):
    """Only the articles that sent readers to the pin or sold it, with the pin's lines alone:
    Pin care's badge (in NTR's order) is not in its $20.00."""
    page = manager.get(REPORT, {"product": "PIN-S"}).content.decode()

    assert table(page) == [
        ["Pin care", "4", "2", "1", "2", "3", "$20.00", "50.00%"],
        ["What does NTR mean?", "2", "1", "1", "2", "2", "$15.00", "100.00%"],
    ]
    assert table(page, "tfoot") == [["All articles", "6", "3", "2", "4", "5", "$35.00", "66.67%"]]
    assert "A quiet article" not in page


def test_a_product_counts_its_own_lines_not_the_rest_of_the_order(manager):
    pin = merch("Tanuki Pin", price="10.00", upc="PIN-T")
    badge = merch("Tanuki Badge", price="4.00", upc="BADGE-T")
    post = write_post("Pins and badges", body="[[product:PIN-T]]")
    refund(order((pin, 1, post), (badge, 2, post), shipping="2.00"), "10.00")  # $20 paid: half

    badge_page = manager.get(REPORT, {"product": "BADGE-T"}).content.decode()
    whole_page = manager.get(REPORT).content.decode()

    assert table(badge_page) == [["Pins and badges", "0", "0", "0", "1", "2", "$4.00", "—"]]
    assert table(whole_page) == [["Pins and badges", "0", "0", "0", "1", "3", "$9.00", "—"]]


def test_a_refund_that_does_not_divide_whole_dollars_is_shared_to_the_cent(manager):
    """$5 back of a $15 order (whole-dollar prices, which SQLite stores as integers): the pin
    keeps $10 - $10 * 5 / 15 = $6.67, not a share cut to whole dollars."""
    pin = merch("Kitsune Pin", price="10.00", upc="PIN-K")
    badge = merch("Kitsune Badge", price="5.00")
    post = write_post("Kitsune pins", body="[[product:PIN-K]]")
    refund(order((pin, 1, post), (badge, 1, None)), "5.00")

    page = manager.get(REPORT).content.decode()

    assert table(page) == [["Kitsune pins", "0", "0", "0", "1", "1", "$6.67", "—"]]


def kept_by_the_orders(*orders) -> Decimal:
    """What the orders kept of what they cost: their totals less their refunds."""
    return sum(
        (placed.total_incl_tax - sum(r.amount for r in placed.refunds.all()) for placed in orders),
        Decimal("0.00"),
    )


def csv_rows(client, query) -> list[list[str]]:
    response = client.get(REPORT, {"format": "csv", **query})
    return list(csv.reader(io.StringIO(response.content.decode())))[1:]


def test_a_refund_shared_by_three_articles_adds_up_to_what_the_order_kept(manager):
    """$1 back of three $1 lines from three articles: each kept $0.66⅔, and the cents are
    shared so that the rows add up to the $2.00 the order kept (the largest remainders get the
    cent left over, ties to the earlier line): $0.67, $0.67, $0.66, never three times $0.67."""
    posts = [write_post(f"{n} article") for n in ("First", "Second", "Third")]
    pins = [merch(f"Pin {n}", price="1.00", upc=f"PIN-{n}") for n in ("1", "2", "3")]
    placed = order(*((pin, 1, post) for pin, post in zip(pins, posts, strict=True)))
    refund(placed, "1.00")

    page = manager.get(REPORT).content.decode()

    assert table(page) == [
        ["First article", "0", "0", "0", "1", "1", "$0.67", "—"],
        ["Second article", "0", "0", "0", "1", "1", "$0.67", "—"],
        ["Third article", "0", "0", "0", "1", "1", "$0.66", "—"],
    ]
    assert table(page, "tfoot") == [["All articles", "0", "0", "0", "1", "3", "$2.00", "—"]]
    rows = csv_rows(manager, {"sort": "title"})
    assert [(row[0], row[7]) for row in rows] == [
        ("First article", "0.67"),
        ("Second article", "0.67"),
        ("Third article", "0.66"),
        ("All articles", "2.00"),
    ]
    assert sum(Decimal(row[7]) for row in rows[:-1]) == kept_by_the_orders(placed)
    for upc, title, revenue in [
        ("PIN-1", "First article", "$0.67"),
        ("PIN-2", "Second article", "$0.67"),
        ("PIN-3", "Third article", "$0.66"),
    ]:
        product_page = manager.get(REPORT, {"product": upc}).content.decode()
        assert table(product_page) == [[title, "0", "0", "0", "1", "1", revenue, "—"]]
        assert table(product_page, "tfoot") == [
            ["All articles", "0", "0", "0", "1", "1", revenue, "—"]
        ]
        assert csv_rows(manager, {"product": upc})[-1][7] == revenue.removeprefix("$")


def test_partial_refunds_over_several_orders_add_up_to_the_cent(manager):
    """Rounded line by line (or article by article) these three orders come to $5.04 where
    they kept $5.02: $0.99 back of $2 leaves each $1 line $0.50½, $1 back of $4 leaves each
    $0.75. Shared to the cent, the first line of an order takes the cent left over."""
    a, b, c, d = (write_post(f"Article {letter}") for letter in "ABCD")
    pins = [merch(f"Pin {letter}", price="1.00", upc=f"PIN-{letter}") for letter in "ABCD"]
    pin_a, pin_b, pin_c, pin_d = pins
    orders = [
        order((pin_a, 1, a), (pin_b, 1, b)),
        order((pin_c, 1, c), (pin_d, 1, d)),
        order(*((pin, 1, post) for pin, post in zip(pins, (a, b, c, d), strict=True))),
    ]
    for placed, amount in zip(orders, ("0.99", "0.99", "1.00"), strict=True):
        refund(placed, amount)

    page = manager.get(REPORT, {"sort": "title"}).content.decode()

    assert table(page) == [
        ["Article A", "0", "0", "0", "2", "2", "$1.26", "—"],
        ["Article B", "0", "0", "0", "2", "2", "$1.25", "—"],
        ["Article C", "0", "0", "0", "2", "2", "$1.26", "—"],
        ["Article D", "0", "0", "0", "2", "2", "$1.25", "—"],
    ]
    assert table(page, "tfoot") == [["All articles", "0", "0", "0", "3", "8", "$5.02", "—"]]
    assert kept_by_the_orders(*orders) == Decimal("5.02")
    rows = csv_rows(manager, {"sort": "title"})
    assert [row[7] for row in rows] == ["1.26", "1.25", "1.26", "1.25", "5.02"]


def test_shipping_takes_its_share_of_the_cents_too(manager):
    """$2 back of a $2 pin, a $2 badge and $2 shipping: each kept $1.33⅓; the cent left over
    goes to the pin, the earliest of the three, and the badge and the shipping keep $1.33."""
    pin, badge = merch("Ume Pin", price="2.00"), merch("Ume Badge", price="2.00")
    post = write_post("Ume pins")
    refund(order((pin, 1, post), (badge, 1, None), shipping="2.00"), "2.00")

    page = manager.get(REPORT).content.decode()

    assert table(page) == [["Ume pins", "0", "0", "0", "1", "1", "$1.34", "—"]]


def test_a_product_with_variants_counts_the_variants_sold(manager):
    keychain = create_product(
        title="Chibi Keychain", upc="KEY-C", structure="parent", product_class="Keychain"
    )
    red = create_product(parent=keychain, title="Red", price=Decimal("8.00"), num_in_stock=3)
    post = write_post("Keychains we love")
    attribution.figures.count(f"click:{post.pk}:{keychain.pk}")
    view_counts.flush(force=True)
    order((red, 2, post))

    page = manager.get(REPORT, {"product": "KEY-C"}).content.decode()

    assert table(page) == [["Keychains we love", "0", "1", "0", "1", "2", "$16.00", "—"]]


def test_a_product_no_article_sold_says_so(shop, manager):
    merch("Unloved Keychain", upc="KEY-U")

    page = manager.get(REPORT, {"product": "KEY-U"}).content.decode()

    assert table(page) == [
        ["No article sent readers to Unloved Keychain or sold it in this range."]
    ]


def test_an_earlier_range_shows_only_its_own_days(shop, manager):
    day = (timezone.localdate() - timedelta(days=40)).isoformat()
    page = manager.get(REPORT, {"start": day, "end": day}).content.decode()

    assert table(page) == [
        ["What does NTR mean?", "0", "0", "0", "1", "1", "$10.00", "—"],
        ["A quiet article", "0", "0", "0", "0", "0", "$0.00", "—"],
        ["Pin care", "100", "0", "0", "0", "0", "$0.00", "0.00%"],
    ]


@pytest.mark.parametrize(
    ("sort", "titles"),
    [
        ("views", ["A quiet article", "What does NTR mean?", "Pin care"]),
        ("-views", ["Pin care", "What does NTR mean?", "A quiet article"]),
        ("-conversion", ["What does NTR mean?", "Pin care", "A quiet article"]),
        ("title", ["A quiet article", "Pin care", "What does NTR mean?"]),
        ("password", ["Pin care", "What does NTR mean?", "A quiet article"]),  # not a column
    ],
)
def test_rows_sort_by_any_column_and_nothing_else(shop, manager, sort, titles):
    page = manager.get(REPORT, {"sort": sort}).content.decode()
    assert [row[0] for row in table(page)] == titles


def test_a_range_that_ends_before_it_starts_is_refused_with_its_dates(manager):
    response = manager.get(REPORT, {"start": "2026-02-02", "end": "2026-01-01"})
    assert response.status_code == 400
    assert "The range starts on 2 Feb 2026, after it ends on 1 Jan 2026." in (
        response.content.decode()
    )


def test_a_start_after_today_with_no_end_says_the_end_is_today(manager):
    response = manager.get(REPORT, {"start": "2999-01-01"})
    today = timezone.localdate()
    assert response.status_code == 400
    assert (
        f"The range starts on 1 Jan 2999, after it ends on {today:%-d %b %Y} "
        "(today, as “To” is empty)."
    ) in response.content.decode()


@pytest.mark.parametrize(
    "query", [{"start": "yesterday"}, {"end": "2026-13-45"}, {"start": "31/31/2026"}]
)
def test_a_date_that_is_not_one_says_how_to_write_it(manager, query):
    response = manager.get(REPORT, query)
    assert response.status_code == 400
    assert "Enter a date as year-month-day, for example 2026-01-31." in (response.content.decode())


def test_a_range_ending_on_the_first_day_of_the_calendar_shows_that_day(manager):
    response = manager.get(REPORT, {"end": "0001-01-01"})
    assert response.status_code == 200
    assert "From 1 Jan 0001 to 1 Jan 0001" in response.content.decode()


DAY = st.one_of(
    st.sampled_from(["0001-01-01", "0001-01-15", "9999-12-31"]),  # the calendar's ends
    st.dates().map(date.isoformat),
    st.sampled_from(["", "2026-02-30", "2026-13-01", "0000-01-01", "10000-01-01", "01/02/2026"]),
    st.text(max_size=20),
)


@hypothesis_settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    start=DAY,
    end=DAY,
    product=st.one_of(st.just("PIN-S"), st.text(max_size=200)),
    sort=st.text(max_size=12),
)
def test_no_range_product_or_sort_answers_a_server_error(shop, manager, start, end, product, sort):
    for format in ("", "csv"):
        query = {"start": start, "end": end, "product": product, "sort": sort, "format": format}
        response = manager.get(REPORT, query)
        assert response.status_code in (200, 400), query


def test_a_range_with_nothing_in_it_says_so(shop, manager):
    page = manager.get(REPORT, {"start": "2020-01-01", "end": "2020-01-31"}).content.decode()

    assert "Nothing in this range: no article was read and no order came from an article." in (page)
    assert table(page, "tfoot") == [["All articles", "0", "0", "0", "0", "0", "$0.00", "—"]]


def test_a_shop_without_articles_says_so(manager):
    page = manager.get(REPORT).content.decode()

    assert table(page) == [["No articles yet."]]
    assert "<tfoot" not in page


def test_the_date_fields_are_date_pickers_and_the_product_field_is_explained(manager):
    page = html.unescape(manager.get(REPORT).content.decode())

    assert page.count('type="date"') == 2
    assert "Empty dates: the last 30 days." in page
    assert (
        '<span id="id_product_helptext">'
        "Only this product's clicks, adds and sales: the articles that sold it.</span>"
    ) in page


def test_only_staff_who_may_see_orders_open_the_report(client, db):
    assert client.get(REPORT).status_code == 302  # to the sign-in page
    client.force_login(staff_member("editor", "Blog editors"))
    assert client.get(REPORT).status_code == 403
    assert client.get(REPORT, {"format": "csv"}).status_code == 403


def test_the_dashboard_menu_links_the_report(manager):
    assert f'href="{REPORT}"' in manager.get(reverse("dashboard:index")).content.decode()


# Session, user, permissions (2); views, traffic, sales, articles; with a product, the product.
@pytest.mark.parametrize(
    ("query", "budget"),
    [({}, 8), ({"format": "csv"}, 8), ({"product": "PIN-Q"}, 9)],
    ids=["page", "csv", "product"],
)
@pytest.mark.parametrize("size", [1, 6])
def test_the_report_runs_a_fixed_number_of_queries(
    client, size, query, budget, django_assert_num_queries
):
    pin = merch("Queried Pin", upc="PIN-Q", stock=100)
    posts = [write_post(f"Article {k}", body="[[product:PIN-Q]]") for k in range(size)]
    for k, post in enumerate(posts):
        attribution.figures.count(f"view:{post.pk}:0")
        attribution.figures.count(f"click:{post.pk}:{pin.pk}")
        for _ in range(k + 1):
            refund(order((pin, 1, post)), "1.00")
    view_counts.flush(force=True)
    client.force_login(staff_member("counter", permissions=("order.view_order",)))
    client.get(REPORT)  # the session and permissions, as on any later request

    with django_assert_num_queries(budget):
        response = client.get(REPORT, query)
    assert response.status_code == 200
    if query.get("format") == "csv":
        assert len(list(csv.reader(io.StringIO(response.content.decode())))) == size + 2
    else:
        assert len(table(response.content.decode())) == size
