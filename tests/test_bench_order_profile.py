"""`manage.py bench --order-profile` places real guest orders in-process and prints, per step of
the order, its SQL queries, Python calls and CPU milliseconds (timings are not asserted: the
machine is shared)."""

import io
import json
import pstats

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from oscar.core.loading import get_model

from shop.devtools.bench import order_profile, scenarios

Order = get_model("order", "Order")

# on_commit work (webhooks' effects, the confirmation e-mail's job) runs as in production.
pytestmark = pytest.mark.django_db(transaction=True)


def test_order_profile_places_orders_and_prints_every_step(demo_shop, tmp_path):
    stdout = io.StringIO()
    call_command("bench", order_profile=True, orders=1, out=str(tmp_path), stdout=stdout)

    # Two warm-up orders, one counted, one profiled, one timed.
    assert Order.objects.filter(guest_email=scenarios.GUEST_EMAIL).count() == 5
    result = json.loads((tmp_path / f"order-profile-demo-{connection.vendor}.json").read_text())
    rows = {row["step"]: row for row in result["rows"]}
    assert list(rows) == order_profile.STEPS
    for step in order_profile.REQUEST_STEPS:
        assert rows[step]["calls"] > 0, step
        assert len(rows[step]["cpu_ms"]) == 1
    assert rows["place order"]["queries"] > 0
    assert rows["webhooks"]["queries"] > 0  # Stripe's events reached the webhook
    assert rows["task worker"]["queries"] > 0  # the confirmation e-mail's job ran
    assert result["requests"]["queries"] == sum(
        rows[step]["queries"] for step in order_profile.REQUEST_STEPS
    )
    printed = stdout.getvalue()
    for step in [*order_profile.STEPS, "web requests", "with the task worker"]:
        assert f"\n{step} " in printed
    assert "indicative only" in printed


def test_order_profile_runs_in_process_only(demo_shop):
    with pytest.raises(CommandError, match="in-process"):
        call_command("bench", order_profile=True, load=True)


def test_stripes_own_work_is_left_out_of_the_webhooks_step(demo_shop, tmp_path):
    """Stripe builds and signs each event before it POSTs it: the step is the shop's answer."""
    call_command(
        "bench",
        order_profile=True,
        order_profile_stats=True,
        orders=1,
        out=str(tmp_path),
        stdout=io.StringIO(),
    )

    stats = pstats.Stats(
        str(tmp_path / f"order-profile-demo-{connection.vendor}" / "webhooks.pstats")
    )
    called = {name for _file, _line, name in stats.stats}
    assert "stripe_webhook" in called  # the shop's view answered
    assert "webhook_request" not in called and "sign" not in called
