"""Progress callbacks of long operations.

Invariants: a progress callback is ``callback(done, total)``, called after each step with
``done`` counting up from 1 to ``total``; it only observes, so a result is the same with
and without one (it is never passed to a random decision, architecture principle 3).
``None`` means no callback.
"""

from __future__ import annotations

from collections.abc import Callable

from randsupervise.errors import Problem, ValidationError

__all__ = ["Progress", "check_progress"]

#: ``callback(done, total)``: ``done`` steps of ``total`` are finished.
Progress = Callable[[int, int], None]


def check_progress(value: object, name: str = "progress", *, what: str | None = None) -> None:
    """Refuse a ``progress`` argument that is neither ``None`` nor callable."""
    if value is not None and not callable(value):
        raise ValidationError(
            [
                Problem(
                    field=name,
                    message=f"must be None or a callable (done, total), not {type(value).__name__}",
                )
            ],
            what=what,
        )
