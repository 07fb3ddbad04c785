"""A small in-process layer in front of the shared cache for whole pages: the most recently used
entries (`MAX_ENTRIES`, `MAX_BYTES`), served only after their tag versions were checked in the
shared cache, so a change made by any process shows on the next request here too."""

from __future__ import annotations

import threading
from collections import OrderedDict

MAX_ENTRIES = 500
MAX_BYTES = 32 * 1024 * 1024

_entries: OrderedDict[str, tuple[object, int]] = OrderedDict()
_size = 0
_lock = threading.Lock()


def get(key: str):
    with _lock:
        found = _entries.get(key)
        if found is None:
            return None
        _entries.move_to_end(key)
        return found[0]


def put(key: str, entry, size: int) -> None:
    global _size
    if size > MAX_BYTES // 8:
        return  # one huge page would push out many
    with _lock:
        old = _entries.pop(key, None)
        if old is not None:
            _size -= old[1]
        _entries[key] = (entry, size)
        _size += size
        while len(_entries) > MAX_ENTRIES or _size > MAX_BYTES:
            _, (_, dropped) = _entries.popitem(last=False)
            _size -= dropped


def drop(key: str) -> None:
    global _size
    with _lock:
        old = _entries.pop(key, None)
        if old is not None:
            _size -= old[1]


def forget() -> None:
    """Empty this process's layer (the benchmark does, to measure pages truly cold)."""
    global _size
    with _lock:
        _entries.clear()
        _size = 0
