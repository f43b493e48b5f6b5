"""Reading ahead: the next batches of a file are read and converted in a background thread
while the caller counts the current one (pyarrow's readers and the C binner both run without
the GIL, so the two overlap on two cores)."""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterator
from typing import TypeVar

__all__ = ["prefetch", "AHEAD"]

T = TypeVar("T")

#: Batches read ahead (bounded: memory is at most this many batches more than without it).
AHEAD = 2
_POLL = 0.1  # seconds between checks of the stop flag while the queue is full


class _End:
    __slots__ = ("error",)

    def __init__(self, error: BaseException | None) -> None:
        self.error = error


def prefetch(items: Iterator[T], ahead: int = AHEAD) -> Generator[T, None, None]:
    """The items of ``items`` in order, produced by a background thread at most ``ahead``
    items in advance. An exception raised by ``items`` is raised here, at its place in the
    order. When the caller stops early (an error, ``break``, the generator closed), the thread
    stops after its current item and is joined."""
    q: queue.Queue[object] = queue.Queue(maxsize=max(1, int(ahead)))
    stop = threading.Event()

    def put(v: object) -> bool:
        while not stop.is_set():
            try:
                q.put(v, timeout=_POLL)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for it in items:
                if not put(it):
                    return
        except BaseException as exc:  # handed to the consumer, raised there
            put(_End(exc))
            return
        put(_End(None))

    t = threading.Thread(target=produce, name="monitor-prefetch", daemon=True)
    t.start()
    try:
        while True:
            v = q.get()
            if isinstance(v, _End):
                if v.error is not None:
                    raise v.error
                return
            yield v  # type: ignore[misc]
    finally:
        stop.set()
        t.join()
