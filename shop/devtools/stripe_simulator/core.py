"""The simulated Stripe account: one object made of its parts, each a module of this package.

Pure Python and in memory, optionally kept in a JSON file across restarts (`state_path`).
`Simulator.handle` answers one API request the way Stripe would (routing.py); the endpoints live
with the objects they act on (confirmation_tokens.py, payment_intents.py, charges.py, refunds.py,
webhooks.py) over one store (store.py). The transports in `http.py` (in-process for the SDK,
loopback WSGI for browsers) only carry bytes.
"""

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path

from shop.payments.client import SIMULATOR_PUBLISHABLE_KEY as PUBLISHABLE_KEY
from shop.payments.client import SIMULATOR_SECRET_KEY as SECRET_KEY
from shop.payments.client import SIMULATOR_WEBHOOK_SECRET as WEBHOOK_SECRET

from .cards import CardBehaviour, PaymentMethods
from .charges import Charges
from .confirmation_tokens import ConfirmationTokens
from .errors import NetworkFailure
from .payment_intents import PaymentIntents
from .persistence import Persistence
from .refunds import Refunds
from .routing import RecordedRequest, RequestInfo, Routing, SavedResponse
from .store import Store
from .webhooks import WebhookDelivery, Webhooks

DEFAULT_BASE_URL = "http://127.0.0.1:12111"


class Simulator(
    Routing,
    ConfirmationTokens,
    PaymentIntents,
    Charges,
    Refunds,
    PaymentMethods,
    Webhooks,
    Persistence,
    Store,
):
    """One Stripe test-mode account in memory. Thread-safe: every request holds one lock.

    With a `state_path` the account outlives the process: it is read from that JSON file on start
    and written back after every change, so a restarted demo can still refund earlier orders.
    """

    def __init__(
        self,
        secret_key: str = SECRET_KEY,
        publishable_key: str = PUBLISHABLE_KEY,
        webhook_secret: str = WEBHOOK_SECRET,
        base_url: str = DEFAULT_BASE_URL,
        webhook_urls: Iterable[str] = (),
        webhook_events: Iterable[str] = ("*",),
        clock: Callable[[], float] = time.time,
        state_path: str | Path | None = None,
        latency: float = 0.0,
    ):
        self.secret_key = secret_key
        self.publishable_key = publishable_key
        self.webhook_secret = webhook_secret
        self.base_url = base_url
        self.webhook_urls = tuple(webhook_urls)
        # The endpoints' `enabled_events`, as set in Stripe's dashboard: "*" is every event.
        self.webhook_events = tuple(webhook_events)
        # Seconds Stripe's servers take to answer the shop's own (secret-key) calls: the loopback
        # transport (http.py) holds each such answer that long; 0 answers at once. The in-process
        # transport, which holds no worker of the shop's, ignores it.
        self.latency = latency
        # The store (store.py): every object by id, oldest first, under one lock.
        self._clock = clock
        self._lock = threading.RLock()
        self._objects: dict[str, dict] = {}
        self._refunds_by_charge: dict[str, dict[str, None]] = {}  # refund ids by charge id
        # What the parts remember beside the objects (kept in the state file too).
        self._card_behaviour: dict[str, CardBehaviour] = {}  # by PaymentMethod id (cards.py)
        self._token_payment_methods: dict[str, str] = {}  # by ConfirmationToken id
        self._return_urls: dict[str, str] = {}  # by PaymentIntent id (charges.py, 3-D Secure)
        self._saved_responses: dict[str, SavedResponse] = {}  # by Idempotency-Key (routing.py)
        # Routing (routing.py): the request log, the injected faults, the request being answered
        # (None outside `_run`: a dashboard action or 3-D Secure answer has no API request).
        self.requests: list[RecordedRequest] = []
        self._failures: deque[NetworkFailure] = deque()
        self._request: RequestInfo | None = None
        # Webhook delivery (webhooks.py): one queue, one worker thread, in event order.
        self._outbox: deque[tuple[str, str]] = deque()
        self._outbox_changed = threading.Condition()
        self._undelivered = 0
        self._delivering = threading.Lock()
        self._worker: threading.Thread | None = None
        self._stopped = threading.Event()
        self.deliveries: list[WebhookDelivery] = []
        # The state file (persistence.py), and what it holds, to skip writing it again.
        self.state_path = Path(state_path) if state_path is not None else None
        self._written_state: str | None = None
        if self.state_path is not None:
            self._load_state()
