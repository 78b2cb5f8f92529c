"""The one verification report: for draws, assignments and plans alike.

Invariants (architecture principle 4):

* A :class:`VerifyReport` is ``ok`` exactly when it holds no :class:`Difference`.
* A difference is (JSON path in the receipt, value in the receipt, value recomputed),
  with a sentence for people. Paths use :func:`~._core.strict_json.join_path`.
* :func:`diff_trees` compares a receipt with its recomputation generically, key by key,
  so no verifier keeps a hand-written list of fields that could miss a new one. Numbers
  compare as JSON numbers (``1`` equals ``1.0``; ``true`` is not ``1``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from randsupervise._core.strict_json import join_path

__all__ = ["Difference", "VerifyReport", "diff_trees", "same_json"]

_MAX_LISTED = 10


@attrs.frozen(kw_only=True)
class Difference:
    """One thing the receipt says that the recomputation does not confirm.

    ``path`` is the JSON path into the receipt (``strata.B.selected``), ``receipt`` the
    value the receipt holds there and ``recomputed`` the value recomputed from the inputs
    (``None`` where one side has no such value).

    Examples:
        >>> d = Difference(path="seed", message="differs", receipt="ab", recomputed="cd")
        >>> str(d), d.where
        ('seed: differs', 'seed')
    """

    path: str
    message: str
    receipt: Any = None
    recomputed: Any = None

    @property
    def where(self) -> str:
        """The path (the name earlier releases used)."""
        return self.path

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@attrs.frozen(kw_only=True)
class VerifyReport:
    """The outcome of every ``verify``: ``ok`` when nothing differs.

    ``kind`` is ``"draw"``, ``"assignment"`` or ``"plan"``; ``notes`` say what was not
    checked and why (never a difference).

    Examples:
        >>> VerifyReport(kind="draw", differences=()).ok
        True
        >>> print(VerifyReport(kind="plan", differences=(Difference(path="seed", message="x"),)))
        plan receipt does NOT verify: 1 difference(s)
          - seed: x
    """

    differences: tuple[Difference, ...]
    notes: tuple[str, ...] = ()
    kind: str = "draw"

    @property
    def ok(self) -> bool:
        return not self.differences

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        if self.ok:
            head = f"{self.kind} receipt verified: it recomputes exactly"
        else:
            head = f"{self.kind} receipt does NOT verify: {len(self.differences)} difference(s)"
        lines = [
            head,
            *(f"  - {d}" for d in self.differences),
            *(f"  note: {n}" for n in self.notes),
        ]
        return "\n".join(lines)


def same_json(a: Any, b: Any) -> bool:
    """Equal as JSON values: numbers by value (``1 == 1.0``), booleans apart from numbers.

    Examples:
        >>> same_json({"a": [1, True]}, {"a": [1.0, True]}), same_json(1, True)
        (True, False)
    """
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def _show(values: list[Any]) -> str:
    shown = ", ".join(repr(v) for v in values[:_MAX_LISTED])
    more = len(values) - _MAX_LISTED
    return shown + (f" and {more} more" if more > 0 else "")


def _brief(v: Any, limit: int = 120) -> str:
    r = repr(v)
    return r if len(r) <= limit else r[: limit - 5] + " ...]"


def _scalar_list(v: Any) -> bool:
    return isinstance(v, list | tuple) and all(not isinstance(x, Mapping | list) for x in v)


def _list_difference(path: str, got: list[Any], want: list[Any]) -> Difference:
    try:
        only_r = [x for x in got if x not in set(want)]
        only_c = [x for x in want if x not in set(got)]
    except TypeError:  # unhashable values: compare by position only
        only_r = only_c = []
    parts = []
    if only_r:
        parts.append(f"the receipt lists {_show(only_r)}, which the recomputation does not")
    if only_c:
        parts.append(f"the recomputation gives {_show(only_c)}, which the receipt does not list")
    if not parts:
        first = next(
            (i for i, (a, b) in enumerate(zip(got, want, strict=False)) if not same_json(a, b)),
            None,
        )
        if first is None:
            parts.append(f"{len(got)} entries in the receipt, {len(want)} recomputed")
        else:
            parts.append(
                f"differs from position {first}: receipt {_brief(got[first])}, "
                f"recomputed {_brief(want[first])}"
            )
    return Difference(path=path, message="; ".join(parts), receipt=got, recomputed=want)


def diff_trees(receipt: Any, recomputed: Any, path: str = "") -> list[Difference]:
    """Every place where ``receipt`` and ``recomputed`` differ, as :class:`Difference`.

    Objects are compared key by key (a key on one side only is a difference), arrays of
    scalars as one value (the message says which entries are on one side only, or where
    the order first differs), arrays of objects entry by entry.

    Examples:
        >>> [str(d) for d in diff_trees({"a": 1, "s": {"n": 2}}, {"a": 1.0, "s": {"n": 3}})]
        ['s.n: receipt 2, recomputed 3']
        >>> for d in diff_trees({"ids": ["x", "y"]}, {"ids": ["x", "z"], "k": 0}):
        ...     print(d)
        ids: the receipt lists 'y', which ...; the recomputation gives 'z', which ...
        k: missing from the receipt (recomputed 0)
    """
    if same_json(receipt, recomputed):
        return []
    if isinstance(receipt, Mapping) and isinstance(recomputed, Mapping):
        out: list[Difference] = []
        for k in list(receipt) + [k for k in recomputed if k not in receipt]:
            p = join_path(path, k)
            if k not in recomputed:
                msg = "not expected here (unknown key)"
                out.append(Difference(path=p, message=msg, receipt=receipt[k]))
            elif k not in receipt:
                msg = f"missing from the receipt (recomputed {_brief(recomputed[k])})"
                out.append(Difference(path=p, message=msg, recomputed=recomputed[k]))
            else:
                out += diff_trees(receipt[k], recomputed[k], p)
        return out
    if _scalar_list(receipt) and _scalar_list(recomputed):
        return [_list_difference(path or "$", list(receipt), list(recomputed))]
    if (
        isinstance(receipt, list | tuple)
        and isinstance(recomputed, list | tuple)
        and len(receipt) == len(recomputed)
    ):
        out = []
        for i, (a, b) in enumerate(zip(receipt, recomputed, strict=True)):
            out += diff_trees(a, b, join_path(path, i))
        return out
    return [
        Difference(
            path=path or "$",
            message=f"receipt {_brief(receipt)}, recomputed {_brief(recomputed)}",
            receipt=receipt,
            recomputed=recomputed,
        )
    ]
