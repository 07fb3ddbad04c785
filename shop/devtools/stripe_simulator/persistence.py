"""Keeping the account across restarts: its state in a JSON file (`state_path`), read on start
and written after every change, so a restarted demo can still refund earlier orders."""

import contextlib
import json
import logging
import os
import tempfile

from .cards import CardBehaviour
from .routing import SavedResponse

logger = logging.getLogger(__name__)


class Persistence:
    """The state file of a Simulator; a missing or corrupt file is a new account."""

    def _state(self) -> dict:
        """Everything a restarted simulator needs to carry on; not logs, faults or webhook queue."""
        return {
            "objects": list(self._objects.values()),
            "card_behaviour": {
                method_id: vars(behaviour) for method_id, behaviour in self._card_behaviour.items()
            },
            "confirmation_token_payment_methods": self._token_payment_methods,
            "return_urls": self._return_urls,
            "idempotent_responses": {
                key: vars(saved) for key, saved in self._saved_responses.items()
            },
        }

    def _load_state(self) -> None:
        """Carry on from `state_path`; a missing file is a new account, a corrupt one too."""
        try:
            state = json.loads(self.state_path.read_text(encoding="utf-8"))
            objects = {obj["id"]: obj for obj in state["objects"]}
            card_behaviour = {
                method_id: CardBehaviour(**fields)
                for method_id, fields in state["card_behaviour"].items()
            }
            token_payment_methods = dict(state["confirmation_token_payment_methods"])
            return_urls = dict(state["return_urls"])
            saved_responses = {
                key: SavedResponse(**fields)
                for key, fields in state["idempotent_responses"].items()
            }
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            logger.warning(
                "Stripe simulator: cannot read the state in %s (%s); starting with an empty "
                "account, which replaces it on the first change.",
                self.state_path,
                error,
            )
            return
        self._objects = objects
        self._index_refunds()
        self._card_behaviour = card_behaviour
        self._token_payment_methods = token_payment_methods
        self._return_urls = return_urls
        self._saved_responses = saved_responses

    def _save_state(self) -> None:
        """Write the state to `state_path` if it changed; call with the lock held.

        A temporary file in the same directory, then `os.replace`: a crash mid-write leaves the
        previous state, never half a file.
        """
        if self.state_path is None:
            return
        text = _state_json(self._state())
        if text == self._written_state:
            return
        path = self.state_path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(
                dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
            )
            try:
                with os.fdopen(descriptor, "w", encoding="utf-8") as file:
                    file.write(text)
                os.replace(temporary, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
        except OSError as error:
            # The account carries on in memory; the next change tries again.
            logger.warning("Stripe simulator: cannot write its state to %s (%s)", path, error)
            return
        self._written_state = text


def _state_json(state: dict) -> str:
    """The saved state as JSON, one object per line: readable with grep, and written by json's C
    encoder (`indent=` falls back to the pure-Python one, four times slower on a demo's state)."""
    sections = []
    for name, value in state.items():
        if isinstance(value, dict):
            lines = [f"{json.dumps(key)}: {json.dumps(item)}" for key, item in value.items()]
            brackets = "{}"
        else:
            lines = [json.dumps(item) for item in value]
            brackets = "[]"
        body = "".join(f"\n  {line}," for line in lines).rstrip(",")
        sections.append(f"{json.dumps(name)}: {brackets[0]}{body}\n {brackets[1]}")
    return "{\n " + ",\n ".join(sections) + "\n}\n"
