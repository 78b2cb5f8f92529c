"""The assignment problem: every input of an assignment besides the seed and stream.

Invariants:

* An :class:`AssignmentProblem` is valid once built: visits are ``VisitRequest`` with
  unique ids (kept sorted by id, so input order does not matter), the pool is an
  ``InspectorPool``, pairs are pairs of non-empty ids, dates are dates, load limits are
  ints ``>= 0``. Every bad input is reported at once, as a ``ValidationError``.
* :meth:`AssignmentProblem.digests` is what a receipt records of the inputs; an input
  added by a later release is digested only when given, so earlier receipts keep theirs.
* :class:`ProblemOptions` names every input besides the visits and the pool; the
  functions that take a problem's inputs as keyword arguments take exactly these.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypedDict, TypeVar, cast

import attrs

from randsupervise._core.canonical import sha256_hex
from randsupervise.assign._phase import _UNLIMITED
from randsupervise.assign.requests import UNIT_SEPARATOR, RegionRule, VisitRequest
from randsupervise.assign.visit_digest import visits_digest
from randsupervise.errors import Problem, ValidationError
from randsupervise.model.inspectors import InspectorPool

__all__ = ["AssignmentProblem", "Pair", "ProblemOptions"]

Pair = tuple[str, str]
T = TypeVar("T")
_WHAT = "assignment problem"


class ProblemOptions(TypedDict, total=False):
    """The inputs of an :class:`AssignmentProblem` besides its visits and pool, as keyword
    arguments (see the attributes of :class:`AssignmentProblem`)."""

    conflicts: Iterable[Pair]
    rotation: Iterable[Pair]
    load_limits: int | Mapping[str, int] | None
    region_rule: RegionRule | None
    certificates_valid_until: Mapping[str, dt.date] | None
    unavailable_days: Iterable[tuple[str, dt.date]]
    apart: Iterable[tuple[str, str]]
    joint_load: int
    period_limits: int | Mapping[str, int] | None


_OPTION_NAMES = tuple(ProblemOptions.__annotations__)


def _refused(field: str, message: str) -> ValidationError:
    return ValidationError([Problem(field=field, message=message)], what=_WHAT)


def _collection(
    value: object, field: str, expected: str, refused: tuple[type, ...] = (str, bytes)
) -> list[Any]:
    """``value`` as a list; a text (or another ``refused`` type) or anything not iterable
    is refused."""
    if isinstance(value, refused) or not isinstance(value, Iterable):
        raise _refused(field, f"{expected}, not {type(value).__name__}")
    return list(value)


def _pair_set(
    value: object,
    field: str,
    expected: tuple[str, str],
    parse: Callable[[Any], T | None],
    what: str = _WHAT,
) -> frozenset[T]:
    """The rows of ``value`` parsed by ``parse`` (``None``: a bad row); ``expected`` says
    what the whole input and what one row should be."""
    out: set[T] = set()
    bad: list[Problem] = []
    for row, pair in enumerate(_collection(value, field, expected[0])):
        item = parse(pair)
        if item is None:
            bad.append(Problem(row=row, field=field, message=f"{expected[1]}, got {pair!r}"))
        else:
            out.add(item)
    if bad:
        raise ValidationError(bad, what=what)
    return frozenset(out)


def _two(pair: object) -> tuple[Any, ...]:
    """The two items of a tuple or list, or ``()``."""
    items = tuple(pair) if isinstance(pair, tuple | list) else ()
    return items if len(items) == 2 else ()


def _ids(items: Sequence[Any]) -> bool:
    return len(items) == 2 and all(isinstance(x, str) and x for x in items)


def _pair(pair: object) -> Pair | None:
    if type(pair) is tuple and len(pair) == 2:  # the usual row, checked without a copy
        a, b = pair
        if type(a) is str and type(b) is str and a and b:
            return (a, b)
    if isinstance(pair, str | bytes) or not isinstance(pair, Iterable):
        return None
    items = tuple(pair)
    return (items[0], items[1]) if _ids(items) else None


def _pairs(value: Iterable[Pair]) -> frozenset[Pair]:
    expected = (
        "expected (inspector id, target id) pairs",
        "expected a pair (inspector id, target id)",
    )
    return _pair_set(value, "pairs", expected, _pair, what="conflict or rotation pairs")


def _is_date(value: object) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def _day(pair: object) -> tuple[str, dt.date] | None:
    items = _two(pair)
    if items and isinstance(items[0], str) and _is_date(items[1]):
        return (items[0], items[1])
    return None


def _days(value: Iterable[tuple[str, dt.date]]) -> frozenset[tuple[str, dt.date]]:
    expected = ("(inspector id, date) pairs", "expected (inspector id, date)")
    return _pair_set(value, "unavailable_days", expected, _day)


def _apart_pair(pair: object) -> Pair | None:
    items = _two(pair)
    if not _ids(items) or items[0] == items[1]:
        return None
    a, b = sorted(items)
    return (a, b)


def _apart(value: Iterable[tuple[str, str]]) -> frozenset[tuple[str, str]]:
    """Unordered pairs of inspector ids, each written (smaller id, larger id)."""
    expected = ("(inspector id, inspector id) pairs", "expected two different inspector ids")
    return _pair_set(value, "apart", expected, _apart_pair)


def _valid_until(value: Mapping[str, dt.date] | None) -> Mapping[str, dt.date]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise _refused("certificates_valid_until", "a mapping from inspector id to the last "
                       f"day its certificate is valid, not {type(value).__name__}")  # fmt: skip
    bad = [Problem(id=str(k), field="certificates_valid_until", message=f"a date, got {v!r}")
           for k, v in value.items() if not _is_date(v)]  # fmt: skip
    if bad:
        raise ValidationError(bad, what=_WHAT)
    return {str(k): v for k, v in value.items()}


def _region_rule(value: RegionRule | None) -> RegionRule:
    if value is None:
        return RegionRule()
    if not isinstance(value, RegionRule):
        raise _refused("region_rule", f"expected a RegionRule or None, not {type(value).__name__}")
    return value


def _limits(
    value: int | Mapping[str, int] | None, field: str = "load_limits"
) -> int | Mapping[str, int] | None:
    if value is None or isinstance(value, int):
        return value
    if not isinstance(value, Mapping):
        raise _refused(field, "an int, a mapping from inspector id to an int, or "
                       f"None; not {type(value).__name__}")  # fmt: skip
    return {str(k): v for k, v in value.items()}


def _period_limits(value: int | Mapping[str, int] | None) -> int | Mapping[str, int] | None:
    return _limits(value, "period_limits")


def _sorted_visits(vs: Iterable[VisitRequest]) -> tuple[VisitRequest, ...]:
    visits = _collection(
        vs, "visits", "expected a collection of VisitRequest", (str, bytes, Mapping)
    )
    bad = [Problem(row=row, field="visits", message=f"not a VisitRequest: {v!r}"[:120])
           for row, v in enumerate(visits) if not isinstance(v, VisitRequest)]  # fmt: skip
    if bad:
        raise ValidationError(bad, what=_WHAT)
    return tuple(sorted(visits, key=lambda v: v.id))


@attrs.frozen(kw_only=True)
class AssignmentProblem:
    """Everything an assignment depends on besides the seed and stream.

    Attributes:
        visits: The visits to staff (ids unique); kept sorted by id.
        pool: The inspector pool (availability is read from it).
        conflicts: (inspector id, target id) pairs that must not meet (回避).
        rotation: (inspector id, target id) pairs of the last periods, not to repeat.
        load_limits: Most visits one inspector may serve: one int for everyone, a mapping
            from inspector id (ids not named are unlimited), or ``None`` (no limit).
        region_rule: Which inspectors may serve which target regions (``None``: the
            default :class:`RegionRule`, inspectors serve their own regions).
        certificates_valid_until: Inspector id -> the last day its law-enforcement
            certificate is valid; an officer is not drawn for a visit dated after it.
        unavailable_days: (inspector id, date) pairs: not drawn for a visit on that day.
        apart: Pairs of officers who must not serve on one team (relatives, a supervisor
            and a subordinate); unordered.
        joint_load: The load every member of a joint visit (two or more departments)
            carries toward their load limit (county practice: a joint check takes longer);
            other visits carry 1. Default 1.
        period_limits: Most load one inspector may carry within one period
            (:meth:`VisitRequest.period_label`: a month or a batch), as ``load_limits``
            (county practice: no officer does a month's checks in one week); visits
            without a period are not counted. Default ``None``.

    Pairs naming inspectors outside the pool are kept (they change the digest) but
    have no effect.
    """

    visits: tuple[VisitRequest, ...] = attrs.field(converter=_sorted_visits)
    pool: InspectorPool = attrs.field()
    conflicts: frozenset[Pair] = attrs.field(default=frozenset(), converter=_pairs)
    rotation: frozenset[Pair] = attrs.field(default=frozenset(), converter=_pairs)
    load_limits: int | Mapping[str, int] | None = attrs.field(default=None, converter=_limits)
    region_rule: RegionRule = attrs.field(factory=RegionRule, converter=_region_rule)
    certificates_valid_until: Mapping[str, dt.date] = attrs.field(
        factory=dict, converter=_valid_until
    )
    unavailable_days: frozenset[tuple[str, dt.date]] = attrs.field(
        default=frozenset(), converter=_days
    )
    apart: frozenset[tuple[str, str]] = attrs.field(default=frozenset(), converter=_apart)
    joint_load: int = 1
    period_limits: int | Mapping[str, int] | None = attrs.field(
        default=None, converter=_period_limits
    )

    @pool.validator
    def _check_pool(self, _attribute: object, value: object) -> None:
        if not isinstance(value, InspectorPool):
            raise _refused("pool", "expected an InspectorPool (see InspectorPool.from_records), "
                           f"not {type(value).__name__}")  # fmt: skip

    def __attrs_post_init__(self) -> None:
        problems: list[Problem] = []
        seen: set[str] = set()
        for row, v in enumerate(self.visits):
            if not isinstance(v, VisitRequest):
                problems.append(Problem(row=row, message=f"not a VisitRequest: {v!r}"))
            elif v.id in seen:
                problems.append(Problem(row=row, id=v.id, field="id", message="duplicate visit id"))
            else:
                seen.add(v.id)
        # a joint visit's parts are solved under the ids visit + U+001F + department
        for row, v in enumerate(self.visits):
            if isinstance(v, VisitRequest) and v.id in seen and UNIT_SEPARATOR in v.id:
                head, dept = v.id.split(UNIT_SEPARATOR, 1)
                if head in seen and any(
                    u.id == head and u.per_department and dept in u.departments for u in self.visits
                ):
                    problems.append(
                        Problem(row=row, id=v.id, field="id", message="the id of another "
                                "visit's department part (visit + U+001F + department)")
                    )  # fmt: skip
        for field in ("load_limits", "period_limits"):
            lim = getattr(self, field)
            bad = [lim] if isinstance(lim, int) else list(lim.values()) if lim is not None else []
            problems += [
                Problem(field=field, message=f"must be ints >= 0, got {x!r}")
                for x in bad
                if not isinstance(x, int) or isinstance(x, bool) or x < 0
            ]
        jl = self.joint_load
        if not isinstance(jl, int) or isinstance(jl, bool) or jl < 1:
            problems.append(Problem(field="joint_load", message=f"an int >= 1, got {jl!r}"))
        if problems:
            raise ValidationError(problems, what=_WHAT)

    def options(self) -> ProblemOptions:
        """Every input besides the visits and the pool, as the keyword arguments the
        functions taking a problem's inputs accept (:class:`ProblemOptions`).

        Examples:
            >>> from randsupervise.model.sample import sample_inspectors
            >>> p = AssignmentProblem(visits=[], pool=sample_inspectors(), load_limits=3)
            >>> AssignmentProblem(visits=[], pool=p.pool, **p.options()) == p
            True
        """
        return cast(ProblemOptions, {name: getattr(self, name) for name in _OPTION_NAMES})

    def limit_of(self, inspector_id: str, field: str = "load_limits") -> int:
        """The load limit of one inspector (a very large number when unlimited); of one
        period with ``field="period_limits"``."""
        lim = self.load_limits if field == "load_limits" else self.period_limits
        if lim is None:
            return _UNLIMITED
        if isinstance(lim, int):
            return lim
        return lim.get(inspector_id, _UNLIMITED)

    def load_of(self, visit: VisitRequest) -> int:
        """The load each member of ``visit`` carries toward their load limit:
        ``joint_load`` for a joint visit, else 1.

        Examples:
            >>> from randsupervise.model.sample import sample_inspectors
            >>> v = VisitRequest(id="V", target="T", region="r", departments=("a", "b"))
            >>> AssignmentProblem(visits=[v], pool=sample_inspectors(), joint_load=2).load_of(v)
            2
        """
        return self.joint_load if visit.is_joint else 1

    def digests(self) -> dict[str, str]:
        """SHA-256 digests of every input, as recorded in receipts."""
        lim_c, per_c = (
            x if x is None or isinstance(x, int) else dict(sorted(x.items()))
            for x in (self.load_limits, self.period_limits)
        )
        return {
            "visits": visits_digest(self.visits),
            "pool": self.pool.digest(),
            "conflicts": _pairs_digest(self.conflicts),
            "rotation": _pairs_digest(self.rotation),
            "load_limits": sha256_hex({"load_limits": lim_c}),
            "region_rule": sha256_hex(self.region_rule.canonical()),
            # the date inputs are digested only when given, so earlier receipts keep theirs
            **(
                {
                    "certificates_valid_until": sha256_hex(
                        {k: v.isoformat() for k, v in sorted(self.certificates_valid_until.items())}
                    )
                }
                if self.certificates_valid_until
                else {}
            ),
            **(
                {
                    "unavailable_days": sha256_hex(
                        sorted([i, d.isoformat()] for i, d in self.unavailable_days)
                    )
                }
                if self.unavailable_days
                else {}
            ),
            **({"apart": _pairs_digest(self.apart)} if self.apart else {}),
            **(
                {"joint_load": sha256_hex({"joint_load": self.joint_load})}
                if self.joint_load != 1
                else {}
            ),
            **(
                {"period_limits": sha256_hex({"period_limits": per_c})} if per_c is not None else {}
            ),
        }

    def date_excluded(self, visits: Sequence[VisitRequest], role: str) -> list[tuple[int, str]]:
        """(visit position, inspector id) pairs barred by dates: an expired certificate
        (officers) or an unavailable day (both roles), for the dated visits."""
        out: list[tuple[int, str]] = []
        if not (self.certificates_valid_until or self.unavailable_days):
            return out
        off: dict[dt.date, list[str]] = {}
        for i, d in self.unavailable_days:
            off.setdefault(d, []).append(i)
        expiry = sorted((d, i) for i, d in self.certificates_valid_until.items())
        for k, v in enumerate(visits):
            if v.date is None:
                continue
            out += [(k, i) for i in off.get(v.date, ())]
            if role == "officers":
                out += [(k, i) for d, i in expiry if d < v.date]
        return out


#: Python's canonical form (``v1``) of a list of pairs of strings, in one C call (the
#: escapes of ``encode_basestring``; no float, so nothing else to write).
_PAIRS = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)


def _pairs_digest(pairs: frozenset[Pair]) -> str:
    """``sha256_hex(sorted(map(list, pairs)))``, with the canonical JSON written directly.

    Examples:
        >>> _pairs_digest(frozenset({("I2", "T1"), ("I1", "网吧")})) == sha256_hex(
        ...     [["I1", "网吧"], ["I2", "T1"]])
        True
    """
    text = _PAIRS.encode(sorted(pairs))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
