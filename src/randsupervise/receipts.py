"""One door for every receipt: read it strictly, tell its kind, verify it.

Invariants (architecture principle 4; ``docs/spec/receipts.md``):

* Draw, assignment and plan receipts share one canonical JSON form and one digest rule
  (:mod:`randsupervise._core.canonical`), are parsed strictly
  (:mod:`randsupervise._core.strict_json`) and verified into one report type
  (:class:`VerifyReport`): ok or not, and each difference as (JSON path, value in the
  receipt, value recomputed).
* :func:`kind_of` recognises every receipt version this release verifies: version 2 and
  later say ``"kind"``; version 1 is told by its ``algorithm`` (draws) or ``format``
  (assignments, plans); a JSON array is an assignment chain.
* :func:`verify` dispatches to the kind's own verifier; an input the kind needs and did
  not get is bad input (:class:`~randsupervise.errors.ValidationError` naming it), never
  a silent pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from randsupervise._core.report import Difference, VerifyReport
from randsupervise._core.strict_json import parse
from randsupervise.assign import AssignmentProblem, RegionRule, VisitRequest
from randsupervise.assign import read_chain as _read_chain
from randsupervise.assign import verify as _verify_assignment
from randsupervise.calendar import WorkCalendar
from randsupervise.cycle import AnnualPlan, read_plan_receipt, verify_plan
from randsupervise.draw import History, HistoryEntry, Receipt, Seed
from randsupervise.draw import verify as _verify_draw
from randsupervise.draw.announcement import Announcement, Reveal, as_announcement, read_reveals
from randsupervise.errors import Problem, ValidationError
from randsupervise.model import ItemList, TargetRegistry
from randsupervise.model.inspectors import InspectorPool

__all__ = ["Difference", "VerifyReport", "kind_of", "read_receipt", "verify"]

_V1_FORMATS = {
    "randsupervise.assignment-receipt": "assignment",
    "randsupervise.plan-receipt": "plan",
}


def kind_of(data: Any) -> str:
    """``"draw"``, ``"assignment"`` or ``"plan"``: the kind of a parsed receipt.

    Raises:
        ValidationError: not a receipt of any kind this release reads.

    Examples:
        >>> kind_of({"format": "randsupervise.receipt", "kind": "plan", "version": 2})
        'plan'
        >>> kind_of([{"format": "randsupervise.assignment-receipt", "version": 1}])
        'assignment'
    """
    if isinstance(data, list | tuple) and data and isinstance(data[0], Mapping):
        return kind_of(data[0]) if kind_of(data[0]) == "assignment" else _not_a_receipt()
    if not isinstance(data, Mapping):
        return _not_a_receipt()
    kind = data.get("kind")
    if kind in ("draw", "assignment", "plan"):
        return str(kind)
    if data.get("algorithm") == "randsupervise-draw":
        return "draw"
    fmt = data.get("format")
    if isinstance(fmt, str) and fmt in _V1_FORMATS:
        return _V1_FORMATS[fmt]
    return _not_a_receipt()


def _not_a_receipt() -> str:
    raise ValidationError(
        [Problem(message="not a randsupervise receipt (no draw, assignment or plan kind)")],
        what="receipt",
    )


def read_receipt(text: str | bytes | Mapping[str, Any] | Sequence[Any]) -> tuple[str, Any]:
    """Parse a receipt strictly and return ``(kind, receipt)``: a draw
    :class:`~randsupervise.draw.Receipt`, an assignment chain (tuple of frozen receipts),
    or a frozen plan receipt.

    Raises:
        ValidationError: malformed JSON, duplicate keys, non-finite numbers, wrong types,
            unknown or missing fields, an unknown kind or version (each JSON path named).

    Examples:
        >>> from randsupervise.draw import draw
        >>> reg = TargetRegistry.from_columns(id=["a", "b"], risk_class="AB")
        >>> text = draw(reg, seed="s", stream="t", ratios={"A": 1.0}).receipt.to_json()
        >>> kind, r = read_receipt(text)
        >>> kind, r.strata["A"]["selected"]
        ('draw', ['a'])
        >>> read_receipt('{"kind": "draw", "kind": "plan"}')
        Traceback (most recent call last):
        randsupervise.errors.ValidationError: receipt: field 'kind': duplicate key
    """
    data: Any = parse(text, what="receipt", max_depth=24) if isinstance(text, str | bytes) else text
    kind = kind_of(data)
    if kind == "draw":
        return kind, Receipt.from_dict(data)
    if kind == "assignment":
        return kind, _read_chain(data)
    return kind, read_plan_receipt(data)


def _need(name: str, value: object, kind: str) -> None:
    if value is None:
        raise ValidationError(
            [Problem(field=name, message=f"verifying a {kind} receipt needs {name}=")],
            what="verify",
        )


def verify(
    receipt: str | bytes | Mapping[str, Any] | Sequence[Any] | Receipt,
    *,
    registry: TargetRegistry | None = None,
    history: History | Iterable[HistoryEntry] | None = None,
    visits: Iterable[VisitRequest] | None = None,
    pool: InspectorPool | None = None,
    conflicts: Iterable[tuple[str, str]] = (),
    rotation: Iterable[tuple[str, str]] = (),
    load_limits: int | Mapping[str, int] | None = None,
    region_rule: RegionRule | None = None,
    plan: AnnualPlan | None = None,
    items: ItemList | None = None,
    calendar: WorkCalendar | None = None,
    expected_seed: Seed | str | None = None,
    announcement: Announcement | Mapping[str, Any] | str | bytes | None = None,
    reveals: Iterable[Reveal | Mapping[str, Any]] | str | bytes | None = None,
) -> VerifyReport:
    """Verify a receipt of any kind with the inputs it needs.

    A draw needs ``registry`` (and its ``history`` when it used one: a
    :class:`~randsupervise.draw.History`); an
    assignment needs ``visits`` and ``pool`` (and the rules it was given); a plan needs
    ``plan``, ``registry``, ``items``, ``pool`` and ``calendar``. ``expected_seed`` is the
    seed's public source as announced before the draw. ``announcement`` is the
    announcement published before the seed existed (of the receipt's kind; one
    announcement covers every task of a plan), and ``reveals`` the published reveals when
    its seed comes from sealed contributions (``docs/spec/announcement.md``).

    Raises:
        ValidationError: a malformed receipt, or a needed input missing (named).

    Examples:
        >>> from randsupervise.draw import draw
        >>> reg = TargetRegistry.from_columns(id=["a", "b", "c"], risk_class="AAB")
        >>> text = draw(reg, seed="dice 4 2", stream="t", ratios={"A": 0.5}).receipt.to_json()
        >>> verify(text, registry=reg, expected_seed="dice 4 2").ok
        True
        >>> verify(text)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        randsupervise.errors.ValidationError: verify: field 'registry': verifying a draw ...
    """
    parsed: Any
    if announcement is not None:
        announcement = as_announcement(announcement)
    if isinstance(reveals, str | bytes):
        reveals = read_reveals(reveals)
    kind, parsed = ("draw", receipt) if isinstance(receipt, Receipt) else read_receipt(receipt)
    if kind == "draw":
        _need("registry", registry, kind)
        assert registry is not None
        return _verify_draw(
            parsed, registry, history=history, expected_seed=expected_seed,
            announcement=announcement, reveals=reveals,
        )  # fmt: skip
    if kind == "assignment":
        _need("visits", visits, kind)
        _need("pool", pool, kind)
        assert visits is not None and pool is not None
        problem = AssignmentProblem(
            visits=visits, pool=pool, conflicts=conflicts, rotation=rotation,
            load_limits=load_limits, region_rule=region_rule,
        )  # fmt: skip
        return _verify_assignment(
            problem, parsed, expected_seed=expected_seed, announcement=announcement,
            reveals=reveals,
        )  # fmt: skip
    for name, value in (("plan", plan), ("registry", registry), ("items", items),
                        ("pool", pool), ("calendar", calendar)):  # fmt: skip
        _need(name, value, kind)
    assert plan and registry is not None and items and pool is not None and calendar
    return verify_plan(
        parsed, plan, registry, items, pool, calendar=calendar, conflicts=conflicts,
        rotation=rotation, load_limits=load_limits, region_rule=region_rule,
        expected_seed=expected_seed, announcement=announcement, reveals=reveals,
    )  # fmt: skip
