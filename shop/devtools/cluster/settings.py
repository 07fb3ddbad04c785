"""Production settings (DEBUG off, deploy/'s configs) paying through the Stripe simulator that
cluster-check serves, as `bench --drop` does (shop/devtools/bench/settings.py): the one difference
from what a real deployment runs."""

from shop.settings import *  # noqa: F403 -- every setting as production has it

STRIPE_MODE = "simulator"
