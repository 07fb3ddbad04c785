"""Everything that is not the running shop: the demo seed (`demo/`), the benchmark (`bench/`) and the
offline Stripe (`stripe_simulator/`). Management commands in shop/management/commands reach it;
production imports (shop.urls, shop.wsgi with DEBUG off) never load it."""
