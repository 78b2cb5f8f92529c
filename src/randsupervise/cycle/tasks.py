"""A task of the annual plan and its batches: what is drawn, from whom, and when.

Invariants, each with the rule it comes from:

* A :class:`Task` carries one or more items out together (进一次门、查多项事, plan
  §三(五)), names its lead and partner departments (joint checks, 部门联合抽查, plan §一),
  draws from the whole register (不定向) or from a filtered part (定向, a mapping of
  ``TargetRegistry.mask`` keywords, :data:`FILTER_KEYS`), and says per risk class either
  a ratio or a count (差异化分类监管, plan §三(五)).
* A task has one or more :class:`Batch` es, each a date window inside the year, in
  order and not overlapping (checked with the plan: :mod:`randsupervise.cycle.plan_checks`).
  With ``split=False`` every batch is its own draw at the task's ratio; with
  ``split=True`` the task draws once for the year and the selection is split into the
  batches by the draw's own batch-order stream, so the order of inspection is itself
  random and independent of risk class
  (plan §三(二): "抽查比例高的，可以通过随机抽取的方式确定检查批次顺序").
* The sample size of a draw is ``ceil(ratio * N)`` (rules say "at least r") or
  ``min(count, N)``, where ``N`` is the task's eligible population of the class: the
  targets matching the filter, of a kind every item of the task applies to, and active
  unless the filter names a status (:meth:`Task.sample_size`, :meth:`Task.where`).
* Building a task checks its own fields and reports every problem at once
  (architecture principle 6).
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any, cast

import attrs
import numpy as np
import numpy.typing as npt

from randsupervise._core.validation import (
    bool_problems,
    check_int,
    date_problems,
    describe,
    ident_of,
    int_problems,
    is_text,
    real_problems,
    str_set_problems,
    text_problems,
    to_str_set,
    to_tuple,
    wrong_type,
)
from randsupervise.errors import Problem, ValidationError
from randsupervise.model import RiskClass, TargetRegistry
from randsupervise.model.items import ItemList

__all__ = ["FILTER_KEYS", "Batch", "Task"]

#: Tolerance of the float comparisons of ratios and loads.
_TOL = 1e-9

#: The keywords a task's target filter may use (those of ``TargetRegistry.mask``).
FILTER_KEYS: tuple[str, ...] = ("industry", "kind", "region", "risk_class", "status")


def _tuple_of_str(v: Iterable[str] | str) -> tuple[str, ...]:
    """Converter: one str or a collection of str to a sorted tuple without repeats;
    anything else (or a collection holding non-text) kept as it came, for the report."""
    if isinstance(v, str):
        return (v,)
    values: object = to_tuple(v)
    if isinstance(values, tuple) and all(is_text(x) for x in values):
        return tuple(sorted(set(values)))
    return cast(tuple[str, ...], v if not isinstance(values, tuple) else values)


def _class_map(v: Mapping[Any, Any] | float | int | None) -> dict[RiskClass, Any]:
    """Converter: a per-class mapping keyed by :class:`RiskClass`; a bare number applies
    to every class. Anything it cannot read (a str, an unknown class, a class given
    twice) is kept as it came, so validation names it; values are checked there too."""
    if v is None:
        return {}
    if isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool | np.bool_):
        return dict.fromkeys(RiskClass, v)
    if not isinstance(v, Mapping):
        return cast(dict[RiskClass, Any], v)
    out: dict[RiskClass, Any] = {}
    for k, val in v.items():
        try:
            cls = RiskClass.parse(k)
        except ValidationError:
            return cast(dict[RiskClass, Any], v)
        if cls in out:
            return cast(dict[RiskClass, Any], v)
        out[cls] = val
    return dict(sorted(out.items()))


def _class_map_problems(
    value: object, field: str, tid: str | None, check: Callable[[object, str], list[Problem]]
) -> list[Problem]:
    """Problems of a converted ``ratios``/``counts`` field (see :func:`_class_map`)."""
    if not isinstance(value, Mapping):
        return [wrong_type(value, field, "a mapping of risk class to value, or one number", id=tid)]
    out: list[Problem] = []
    seen: set[RiskClass] = set()
    for k, val in value.items():
        try:
            cls = RiskClass.parse(k)
        except ValidationError as err:
            out += [attrs.evolve(p, id=tid, field=field) for p in err.problems]
            continue
        if cls in seen:
            out.append(Problem(id=tid, field=field, message=f"class {cls.name} is given twice"))
        seen.add(cls)
        out += [
            attrs.evolve(p, id=tid, message=f"{cls.name}: {p.message}") for p in check(val, field)
        ]
    return out


def _ratio_problems(value: object, field: str) -> list[Problem]:
    return real_problems(value, field, min_value=0, max_value=1, what="a ratio")


def _count_problems(value: object, field: str) -> list[Problem]:
    return int_problems(value, field, min_value=0)


def _filter_value(val: object) -> object:
    if isinstance(val, RiskClass):
        return val.name
    if isinstance(val, str):
        return val
    values: object = to_tuple(val)
    if not isinstance(values, tuple):
        return val
    names = [x.name if isinstance(x, RiskClass) else x for x in values]
    if not all(is_text(x) for x in names):
        return val
    return tuple(sorted(set(cast(list[str], names))))


def _filter_map(v: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Converter: single values stay, collections become sorted tuples of str; a value
    or key it cannot read, or a filter that is no mapping, is kept for the report."""
    if v is None or not isinstance(v, Mapping) or not all(isinstance(k, str) for k in v):
        return cast(dict[str, Any] | None, v)
    return {k: _filter_value(v[k]) for k in sorted(v)}


def _filter_problems(value: object, tid: str | None) -> list[Problem]:
    if value is None:
        return []
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        return [
            Problem(
                id=tid,
                field="target_filter",
                message=f"must be None or a mapping of {list(FILTER_KEYS)} to values, got "
                f"{describe(value)}",
            )
        ]
    out: list[Problem] = []
    bad = sorted(set(value) - set(FILTER_KEYS))
    if bad:
        out.append(
            Problem(
                id=tid,
                field="target_filter",
                message=f"unknown filter keys {bad}; use {list(FILTER_KEYS)}",
            )
        )
    for k, val in value.items():
        if not (is_text(val) or (isinstance(val, tuple) and all(is_text(x) for x in val))):
            out.append(
                Problem(
                    id=tid,
                    field="target_filter",
                    message=f"{k}: must be a str or a collection of str, got {describe(val)}",
                )
            )
        elif k == "risk_class":
            for x in (val,) if isinstance(val, str) else val:
                try:
                    RiskClass.parse(x)
                except ValidationError as err:
                    out += [
                        attrs.evolve(p, id=tid, field="target_filter", message=f"{k}: {p.message}")
                        for p in err.problems
                    ]
    return out


def _str_tuple_problems(value: object, field: str, tid: str | None) -> list[Problem]:
    if not isinstance(value, tuple):
        return [wrong_type(value, field, "a str or a collection of str", id=tid)]
    return [p for x in value for p in text_problems(x, field, tid)]


@attrs.frozen(kw_only=True)
class Batch:
    """A batch (批次): a date window, both ends included, in which its visits take place.

    Examples:
        >>> from datetime import date
        >>> Batch(id="Q2", start=date(2024, 4, 1), end=date(2024, 6, 30)).days
        91
    """

    id: str
    start: _dt.date
    end: _dt.date

    def __attrs_post_init__(self) -> None:
        problems = _plan_id_problems(self.id, "batch")
        for f in ("start", "end"):
            problems += date_problems(getattr(self, f), f)
        if problems:
            raise ValidationError(problems, what="batch")

    @property
    def days(self) -> int:
        """Calendar days in the window, both ends counted."""
        return (self.end - self.start).days + 1

    def canonical(self) -> dict[str, Any]:
        return {"id": self.id, "start": self.start.isoformat(), "end": self.end.isoformat()}


def _check_items(items: object) -> None:
    if not isinstance(items, ItemList):
        raise ValidationError(
            [wrong_type(items, "items", "an ItemList")],
            what="task",
        )


def _plan_id_problems(value: object, what: str, tid: str | None = None) -> list[Problem]:
    """A task or batch id: non-empty text without '/' (ids are joined with '/')."""
    problems = text_problems(value, "id", tid)
    if not problems and "/" in cast(str, value):
        problems.append(
            Problem(id=tid, field="id", message=f"a {what} id has no '/', got {describe(value)}")
        )
    return problems


def _batches(v: Iterable[Batch]) -> tuple[Batch, ...]:
    return to_tuple(v)


@attrs.frozen(kw_only=True)
class Task:
    """A task of the annual plan: items, departments, population, sample sizes, batches.

    Attributes:
        id: Unique in the plan; no ``/``.
        items: The item ids carried out together on each target drawn.
        lead_department: The department leading the task (牵头部门).
        partner_departments: Departments joining it (联合抽查); empty for a
            single-department task.
        target_filter: ``None`` for a draw from every eligible target (不定向), or
            ``TargetRegistry.mask`` keywords (``kind``, ``region``, ``industry``,
            ``risk_class``, ``status``) for a targeted draw (定向).
        ratios: Sampling ratio per risk class (``{"A": 0.03, "D": 1.0}``); a bare number
            applies to every class.
        counts: Sample size per risk class; a class may have a ratio or a count, not both.
        batches: The batches, in date order.
        split: ``False``: every batch draws at the ratio. ``True``: one draw for the
            year, its selection split into the batches by the draw's batch order
            (:func:`randsupervise.draw.batch_order`; random batch order, plan §三(二)).
        stream: The draw's stream label (default: the task id); unique in the plan.
        experts: Expert places on every visit of the task, on top of the certified
            officers (国发〔2019〕5号: experts join, they never count toward the quota).
        expert_tags: The expertise every expert of the task's visits must hold.

    Examples:
        >>> from datetime import date
        >>> t = Task(id="T1", items=["K01"], lead_department="执法大队", ratios=0.05,
        ...          batches=[Batch(id="H1", start=date(2024, 3, 1), end=date(2024, 6, 30))])
        >>> {c.name: r for c, r in t.ratios.items()}
        {'A': 0.05, 'B': 0.05, 'C': 0.05, 'D': 0.05}
        >>> t.stream, t.departments
        ('T1', ('执法大队',))
    """

    id: str
    items: tuple[str, ...] = attrs.field(converter=_tuple_of_str)
    lead_department: str
    partner_departments: tuple[str, ...] = attrs.field(default=(), converter=_tuple_of_str)
    target_filter: Mapping[str, Any] | None = attrs.field(default=None, converter=_filter_map)
    ratios: Mapping[RiskClass, float] = attrs.field(factory=dict, converter=_class_map)
    counts: Mapping[RiskClass, int] = attrs.field(factory=dict, converter=_class_map)
    batches: tuple[Batch, ...] = attrs.field(converter=_batches)
    split: bool = False
    stream: str = attrs.field(default=attrs.Factory(lambda self: self.id, takes_self=True))
    experts: int = 0
    expert_tags: frozenset[str] = attrs.field(factory=frozenset, converter=to_str_set)

    def __attrs_post_init__(self) -> None:
        problems = self._own_problems()
        if problems:
            raise ValidationError(problems, what=f"task {self.id!r}")

    def _own_problems(self) -> list[Problem]:
        tid = ident_of(self.id)
        out = _plan_id_problems(self.id, "task", tid)
        out += _str_tuple_problems(self.items, "items", tid)
        if isinstance(self.items, tuple) and not self.items:
            out.append(Problem(id=tid, field="items", message="a task carries out >= 1 item"))
        out += text_problems(self.lead_department, "lead_department", tid)
        out += _str_tuple_problems(self.partner_departments, "partner_departments", tid)
        out += _filter_problems(self.target_filter, tid)
        out += _class_map_problems(self.ratios, "ratios", tid, _ratio_problems)
        out += _class_map_problems(self.counts, "counts", tid, _count_problems)
        out += int_problems(self.experts, "experts", tid, min_value=0)
        out += str_set_problems(self.expert_tags, "expert_tags", tid)
        if isinstance(self.ratios, Mapping) and isinstance(self.counts, Mapping):
            both = sorted(c.name for c in set(self.ratios) & set(self.counts))
            if both:
                out.append(
                    Problem(
                        id=tid,
                        field="counts",
                        message=f"classes {both} have both a ratio and a count",
                    )
                )
        if not isinstance(self.batches, tuple):
            out.append(wrong_type(self.batches, "batches", "a collection of Batch", id=tid))
        else:
            if not self.batches:
                out.append(Problem(id=tid, field="batches", message="a task needs >= 1 batch"))
            out += [
                Problem(id=tid, field="batches", message=f"row {k}: not a Batch: {describe(b)}")
                for k, b in enumerate(self.batches)
                if not isinstance(b, Batch)
            ]
            ids = [b.id for b in self.batches if isinstance(b, Batch)]
            if len(set(ids)) != len(ids):
                out.append(Problem(id=tid, field="batches", message=f"duplicate batch ids {ids}"))
        out += bool_problems(self.split, "split", tid)
        out += text_problems(self.stream, "stream", tid)
        return out

    @property
    def departments(self) -> tuple[str, ...]:
        """Lead first, then the partners (without the lead)."""
        others = (d for d in self.partner_departments if d != self.lead_department)
        return (self.lead_department, *others)

    @property
    def classes(self) -> tuple[RiskClass, ...]:
        """The classes this task draws from, in order."""
        return tuple(sorted(set(self.ratios) | set(self.counts)))

    def sample_size(self, cls: RiskClass, population: int) -> int:
        """Sample size of one draw of class ``cls`` from ``population`` targets.

        Examples:
            >>> from datetime import date
            >>> t = Task(id="T", items=["K"], lead_department="d", ratios={"A": 0.03},
            ...          counts={"D": 5},
            ...          batches=[Batch(id="B", start=date(2024, 1, 1), end=date(2024, 1, 31))])
            >>> t.sample_size(RiskClass.A, 100), t.sample_size(RiskClass.D, 3)
            (3, 3)
        """
        cls = RiskClass.parse(cls)
        population = check_int(population, "population", min_value=0, what="sample_size")
        if cls in self.counts:
            return min(int(self.counts[cls]), population)
        r = float(self.ratios.get(cls, 0.0))
        return min(population, math.ceil(r * population - _TOL)) if r > 0 else 0

    @property
    def draws_per_year(self) -> int:
        """Number of draws: one when split, else one per batch."""
        return 1 if self.split else len(self.batches)

    def where(self, items: ItemList) -> dict[str, tuple[str, ...]]:
        """The draw engine's filter for this task: column -> accepted values.

        The target filter, narrowed to the kinds every item of the task applies to, and
        to ``active`` targets unless the filter names a status.

        Examples:
            >>> from datetime import date
            >>> from randsupervise.model.sample import sample_items
            >>> t = Task(id="T", items=["K01", "G04"], lead_department="d", ratios=0.1,
            ...          target_filter={"industry": "网吧"},
            ...          batches=[Batch(id="B", start=date(2024, 1, 1), end=date(2024, 1, 31))])
            >>> t.where(sample_items())
            {'industry': ('网吧',), 'kind': ('enterprise', 'sole_trader'), 'status': ('active',)}
        """
        _check_items(items)
        out: dict[str, tuple[str, ...]] = {}
        for k, v in (self.target_filter or {}).items():
            out[k] = tuple(v) if isinstance(v, tuple) else (str(v),)
        kinds: set[str] | None = None
        for item_id in self.items:
            it = items.get(item_id)
            if it is not None:
                kinds = set(it.target_kinds) if kinds is None else kinds & it.target_kinds
        if kinds is not None:
            given = set(out.get("kind", kinds))
            out["kind"] = tuple(sorted(kinds & given))
        if "status" not in out:
            out["status"] = ("active",)
        return dict(sorted(out.items()))

    def eligible_mask(self, registry: TargetRegistry, items: ItemList) -> npt.NDArray[np.bool_]:
        """Rows of ``registry`` this task may draw (see :meth:`where`)."""
        if not isinstance(registry, TargetRegistry):
            raise ValidationError(
                [wrong_type(registry, "registry", "a TargetRegistry")],
                what="eligible_mask",
            )
        where = self.where(items)
        if any(not v for v in where.values()):
            return np.zeros(len(registry), dtype=bool)
        return registry.mask(**{k: list(v) for k, v in where.items()})

    def canonical(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "items": list(self.items),
            "lead_department": self.lead_department,
            "partner_departments": list(self.partner_departments),
            "target_filter": None
            if self.target_filter is None
            else {k: list(v) if isinstance(v, tuple) else v for k, v in self.target_filter.items()},
            "ratios": {c.name: float(r) for c, r in self.ratios.items()},
            "counts": {c.name: int(n) for c, n in self.counts.items()},
            "batches": [b.canonical() for b in self.batches],
            "split": self.split,
            "stream": self.stream,
            # written only when set: plans without experts keep their digests
            **({"experts": self.experts} if self.experts else {}),
            **({"expert_tags": sorted(self.expert_tags)} if self.expert_tags else {}),
        }
