"""Stripe's API errors as the simulator answers them, and the network faults it acts out."""


class SimulatorError(Exception):
    """A Stripe API error: the HTTP status and Stripe's `error` object."""

    # Stripe saves the answer for idempotent replay once the endpoint has started to act.
    is_replayed = True

    def __init__(self, status: int, type: str, message: str, **fields):
        super().__init__(message)
        self.status = status
        self.error = {"type": type, "message": message}
        self.error.update((name, value) for name, value in fields.items() if value is not None)
        if "code" in self.error:
            self.error["doc_url"] = (
                f"https://stripe.com/docs/error-codes/{self.error['code'].replace('_', '-')}"
            )

    @property
    def payload(self) -> dict:
        return {"error": self.error}


class InvalidParams(SimulatorError):
    """A request refused before it ran (bad parameters): not saved for idempotent replay."""

    is_replayed = False

    def __init__(self, message: str, *, param: str | None = None, code: str | None = None):
        super().__init__(400, "invalid_request_error", message, param=param, code=code)


def invalid(message: str, **fields) -> SimulatorError:
    return SimulatorError(400, "invalid_request_error", message, **fields)


class InvalidCard(SimulatorError):
    """Card details that cannot be a card (bad number, past expiry): refused before any charge.

    Stripe.js stops these in the browser; the API answers with Stripe's card_error codes, as a
    400 so that nothing is saved for replay.
    """

    is_replayed = False

    def __init__(self, code: str, message: str, param: str):
        super().__init__(400, "card_error", message, code=code, param=param)


class ResourceMissing(SimulatorError):
    """An unknown id: the request never reached an object, so nothing is saved for replay."""

    is_replayed = False

    def __init__(self, kind: str, object_id: str, param: str | None = None):
        super().__init__(
            404,
            "invalid_request_error",
            f"No such {kind}: '{object_id}'",
            code="resource_missing",
            param=param,
        )


class NetworkFailure(Exception):
    """An injected network fault for the transport to act out (drop the connection, time out).

    For a timeout the request has run: `response` is what the client never sees.
    """

    def __init__(self, kind: str, delay: float = 0.0, response: tuple | None = None):
        super().__init__(f"simulated {kind}")
        self.kind = kind
        self.delay = delay
        self.response = response
