"""`@commits`: for a test whose writes must commit before a shopper's next request sees them.

Cache tags are bumped when the writing transaction commits (catalogue.generations), and the
transaction pytest-django's `db` wraps a test in never does, so pages cached before a change would
stay current. These tests run as the shop does: each write commits (the database is emptied
after the test instead of rolled back).
"""

import pytest

commits = pytest.mark.django_db(transaction=True)
