"""The cyclic garbage collector paused while an engine builds many objects.

Why: CPython runs its cyclic collector each time the number of container objects
(tuples, lists, dicts, class instances) allocated since the last run passes a threshold
(700 by default), and each older-generation run walks every object that survived the
earlier ones. An assignment of 100,000 visits, or a province's year, allocates millions
of small containers that stay alive until the result is returned and hold no reference
cycles, so the collector finds nothing while its walks grow with the year: measured
side by side (``docs/benchmarks.md``, "Garbage collection"), a third of ``run_plan`` at
one million targets. Pausing it for large batches of allocations is an established
remedy (Mercurial's ``util.nogc`` decorator does it for its index and manifest parsing).

Invariants:

* Only the **cyclic** collector is paused; reference counting frees every object as
  usual, so memory held by acyclic garbage is released as before. Cycles created
  while paused (e.g. an exception's traceback) are collected on the next run after
  the pause ends.
* The collector's state is restored: it is enabled again when the outermost paused
  call in the process returns, by return or by exception, and only if it was enabled
  when the first one began (a caller who disabled it keeps it disabled).
* Nested and concurrent calls (threads) share one count, so one thread's return never
  re-enables the collector under another thread's engine call.
* Results never depend on it: nothing here touches a value (architecture principle 3).
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from threading import Lock
from typing import ParamSpec, TypeVar

__all__ = ["gc_paused", "paused_gc"]

_P = ParamSpec("_P")
_R = TypeVar("_R")

_lock = Lock()
_depth = 0
_restore = False


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector for the ``with`` block (module notes).

    Examples:
        >>> import gc
        >>> with paused_gc():
        ...     gc.isenabled()
        False
        >>> gc.isenabled()
        True
    """
    global _depth, _restore
    with _lock:
        if _depth == 0:
            _restore = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _restore:
                gc.enable()


def gc_paused(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """``function`` run under :func:`paused_gc`; the undecorated one is ``__wrapped__``.

    Examples:
        >>> import gc
        >>> @gc_paused
        ... def build() -> bool:
        ...     return gc.isenabled()
        >>> build(), gc.isenabled()
        (False, True)
    """

    @functools.wraps(function)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with paused_gc():
            return function(*args, **kwargs)

    return run
