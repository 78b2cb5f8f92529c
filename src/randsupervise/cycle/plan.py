"""The annual random-inspection plan (年度抽查计划): tasks, batches, plan-time checks.

Invariants, each with the rule it comes from:

* A plan covers one calendar ``year``. It is made of :class:`Task` s; each task carries
  one or more items out together (进一次门、查多项事, plan §三(五)), names its lead and
  partner departments (joint checks, 部门联合抽查, plan §一), draws from the whole register
  (不定向) or from a filtered part (定向, a mapping of ``TargetRegistry.mask`` keywords),
  and says per risk class either a ratio or a count (差异化分类监管, plan §三(五)).
* A task has one or more :class:`Batch` es, each a date window inside the year, in
  order and not overlapping. With ``split=False`` every batch is its own draw at the
  task's ratio; with ``split=True`` the task draws once for the year and the selection
  is split into the batches by the draw's own batch-order stream, so the order of
  inspection is itself random and independent of risk class
  (plan §三(二): "抽查比例高的，可以通过随机抽取的方式确定检查批次顺序").
* The sample size of a draw is ``ceil(ratio * N)`` (rules say "at least r") or
  ``min(count, N)``, where ``N`` is the task's eligible population of the class: the
  targets matching the filter, of a kind every item of the task applies to, and active
  unless the filter names a status.
* **Plan-time validation** (:meth:`AnnualPlan.problems`) reports every problem at once
  and nothing is drawn from a plan that has one:

  - every item of the item list has a task with planned draws: item coverage (开展率)
    must reach 100% (plan §三(二): "每年度抽查事项清单开展率要达到100%");
  - every item a task names is on the list, and its department takes part in the task;
  - a general item's yearly ratio per class stays within its cap, a key item has none
    (plan §三(二));
  - the plan's key items number at most ``ItemList.max_key_items`` (plan §三(二));
  - **frequency limits**: the *planned load* of an item on a target is the sum, over
    every draw of the year that could select the target for the item, of that draw's
    rate ``n / N``. It must not exceed the item's ``yearly_frequency_limit`` (MIIT rules:
    same item, same target at most once a year). This is the pigeonhole bound: if the
    draws of a class add up to more than ``limit * N`` selections, some target must be
    selected more than ``limit`` times. Without a register the check assumes the worst
    (every task's filter overlaps every other's) and sums per item and class; with a
    register it is exact per target. Below the bound, :func:`run_plan` enforces the limit
    while drawing: a target that has reached it is left out of later draws of the item.
  - batch windows lie inside the year, each starts no later than it ends, and a task's
    windows are in order and do not overlap;
  - **the cap's scope** (``cap_scope``): by default a general item's cap bounds the
    yearly ratio of **each class** (the strictest reading of plan §三(二)); with
    ``cap_scope="overall"`` it bounds the item's overall ratio, the planned selections
    over the whole eligible population (classes weighted by their size), so a high
    ratio for risky classes can sit beside low ones (差异化, plan §三(五)). Without a
    register the overall ratio is unknown; the check then reports only a plan whose
    smallest class ratio already exceeds the cap;
  - **a floor on the yearly probability** (``min_yearly_probability``, 利剑高悬: no one
    is ever safe from being drawn, plan §三(五)): with a register, every active target
    of a class with a floor must have a yearly probability of being drawn of at least
    that floor. A target's yearly probability is ``1 - prod(1 - n_d / N_d)`` over the
    draws whose population holds it (draws use independent streams; a later batch of
    the same task draws from fewer targets, so this is a lower bound). Without a
    register it cannot be checked (:func:`run_plan` checks with the register).

  - **frequency per class** (``max_yearly_frequency``, 无事不扰, plan §三(五); Lindian
    county 2024: A less than once a year, B once, C up to twice, D more): the planned
    selections per year of a target of the class, summed over **every** task of the
    plan whatever its items (``n / N`` per draw), must not exceed the class's limit.
    "At most once in N years" is the limit ``1/N``. With a register the check is exact
    per target; without one it assumes every task may hit every target of the class.
    It bounds what the plan asks for; the draw does not yet leave out targets drawn in
    earlier years for it.

  ``cap_scope``, ``min_yearly_probability`` and ``max_yearly_frequency`` are checks
  only: they never change what a plan draws, and a plan that leaves them at their
  defaults has the same canonical form and digest as before they existed.

* **Aligned tasks** (进一次门、查多项事, plan §三(五)): ``aligned_tasks`` lists groups of
  task ids. A target drawn by two or more tasks of one group is inspected once: every
  later hit of the group takes the window of the target's earliest hit of the group
  (window start, window end, then plan position), so the merge rule of
  :mod:`randsupervise.cycle.visits` makes them one visit (unless they share an item).
  The draws are unchanged; the visits (and so the teams) follow the rule, which the plan
  receipt records inside the plan. Left empty, the plan and its receipt are as before.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any, cast

import attrs
import numpy as np
import numpy.typing as npt

from randsupervise._core.canonical import sha256_hex
from randsupervise._core.display import html_table, text_table
from randsupervise._core.validation import (
    bool_problems,
    check_int,
    date_problems,
    describe,
    ident_of,
    int_problems,
    is_text,
    real_problems,
    text_problems,
    to_tuple,
)
from randsupervise.errors import Problem, UnknownIdError, ValidationError
from randsupervise.model import RiskClass, TargetRegistry
from randsupervise.model.items import ItemKind, ItemList

__all__ = ["CAP_SCOPES", "FILTER_KEYS", "AnnualPlan", "Batch", "Task", "yearly_probabilities"]

#: How a general item's cap is read: per class (default) or over the item's whole
#: eligible population.
CAP_SCOPES: tuple[str, ...] = ("class", "overall")

#: The keywords a task's target filter may use (those of ``TargetRegistry.mask``).
FILTER_KEYS: tuple[str, ...] = ("industry", "kind", "region", "risk_class", "status")

_COVERAGE_RULE = "plan §三(二): 开展率 100%"
_CAP_RULE = "plan §三(二): general items' ratio capped"
_KEY_RULE = "plan §三(二): 严格控制重点检查事项的数量"
_FREQ_RULE = "MIIT: same item, same target at most once a year in principle"
_FLOOR_RULE = "plan §三(五): 利剑高悬, no one is ever safe from being drawn"
_CLASS_FREQ_RULE = "plan §三(五): frequency differs per class (无事不扰)"
_TOL = 1e-9


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
        return [
            Problem(
                id=tid,
                field=field,
                message=f"must be a mapping of risk class to value, or one number, got "
                f"{describe(value)} ({type(value).__name__})",
            )
        ]
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
        return [
            Problem(
                id=tid,
                field=field,
                message=f"must be a str or a collection of str, got {describe(value)} "
                f"({type(value).__name__})",
            )
        ]
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
            [Problem(field="items", message=f"must be an ItemList, got {describe(items)}")],
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
            out.append(
                Problem(
                    id=tid,
                    field="batches",
                    message=f"must be a collection of Batch, got {describe(self.batches)}",
                )
            )
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
                [
                    Problem(
                        field="registry",
                        message=f"must be a TargetRegistry, got {describe(registry)}",
                    )
                ],
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
        }


def _groups(v: object) -> tuple[tuple[str, ...], ...]:
    """Converter: groups of task ids, each sorted; anything else kept for the report."""
    if isinstance(v, str) or not isinstance(v, Iterable):
        return v  # type: ignore[return-value]
    out = []
    for g in v:
        if isinstance(g, str) or not isinstance(g, Iterable):
            return v  # type: ignore[return-value]
        members = tuple(g)
        if not all(is_text(m) for m in members):
            return v  # type: ignore[return-value]
        out.append(tuple(sorted(set(members))))
    return tuple(out)


def _tasks(v: Iterable[Task]) -> tuple[Task, ...]:
    return to_tuple(v)


@attrs.frozen(kw_only=True)
class AnnualPlan:
    """The year's plan: tasks and their batches (年度抽查计划, plan §三(五)).

    Building checks only each task's own fields; :meth:`problems` / :meth:`validate`
    check the plan against the item list (and a register), reporting every problem.

    Examples:
        >>> from datetime import date
        >>> from randsupervise.model.sample import sample_items
        >>> year = [Batch(id="Y", start=date(2024, 3, 1), end=date(2024, 11, 30))]
        >>> plan = AnnualPlan(year=2024, tasks=[
        ...     Task(id="T1", items=["K01"], lead_department="文化市场综合行政执法大队",
        ...          ratios=0.1, batches=year)])
        >>> problems = plan.problems(sample_items())
        >>> len(problems), problems[0].message
        (12, 'item G01 has no task: item coverage would be below 100%')
    """

    year: int
    tasks: tuple[Task, ...] = attrs.field(converter=_tasks)
    title: str = ""
    #: per class, the least yearly probability of being drawn (利剑高悬); a check only
    min_yearly_probability: Mapping[RiskClass, float] = attrs.field(
        factory=dict, converter=_class_map
    )
    #: ``"class"``: a general item's cap bounds each class; ``"overall"``: the item's
    #: overall ratio (see the module notes)
    cap_scope: str = "class"
    #: per class, the most selections per year a target may be planned for, over every
    #: task (0.5: once in two years); a check only
    max_yearly_frequency: Mapping[RiskClass, float] = attrs.field(
        factory=dict, converter=_class_map
    )
    #: groups of task ids whose hits on one target are aligned into one window
    aligned_tasks: tuple[tuple[str, ...], ...] = attrs.field(default=(), converter=_groups)

    def __attrs_post_init__(self) -> None:
        # a year is a calendar year datetime.date can hold (1..9999)
        problems = int_problems(self.year, "year", min_value=1, max_value=9999)
        if not problems:
            object.__setattr__(self, "year", int(self.year))
        if not isinstance(self.tasks, tuple):
            problems.append(
                Problem(
                    field="tasks",
                    message=f"must be a collection of Task, got {describe(self.tasks)}",
                )
            )
        else:
            problems += [
                Problem(row=k, field="tasks", message=f"not a Task: {describe(t)}")
                for k, t in enumerate(self.tasks)
                if not isinstance(t, Task)
            ]
        problems += text_problems(self.title, "title", required=False)
        problems += _class_map_problems(
            self.min_yearly_probability, "min_yearly_probability", None, _ratio_problems
        )
        problems += _class_map_problems(
            self.max_yearly_frequency,
            "max_yearly_frequency",
            None,
            lambda v, f: real_problems(v, f, min_value=0.0),
        )
        if not isinstance(self.aligned_tasks, tuple) or not all(
            isinstance(g, tuple) for g in self.aligned_tasks
        ):
            problems.append(
                Problem(
                    field="aligned_tasks",
                    message=f"must be groups of task ids, got {describe(self.aligned_tasks)}",
                )
            )
        if not (is_text(self.cap_scope) and self.cap_scope in CAP_SCOPES):
            problems.append(
                Problem(
                    field="cap_scope",
                    message=f"must be one of {list(CAP_SCOPES)}, got {describe(self.cap_scope)}",
                )
            )
        if problems:
            raise ValidationError(problems, what="annual plan")

    def __len__(self) -> int:
        return len(self.tasks)

    def task(self, task_id: str) -> Task:
        """The task with id ``task_id``; :class:`~randsupervise.errors.UnknownIdError`
        (a ``KeyError``) when the plan has none."""
        for t in self.tasks:
            if is_text(task_id) and t.id == task_id:
                return t
        raise UnknownIdError([task_id], where="annual plan")

    @property
    def item_ids(self) -> tuple[str, ...]:
        """Every item id named by a task, sorted."""
        return tuple(sorted({i for t in self.tasks for i in t.items}))

    # ------------------------------------------------------------------ checks
    def problems(
        self, items: ItemList, registry: TargetRegistry | None = None
    ) -> tuple[Problem, ...]:
        """Every problem of the plan against ``items`` (and ``registry`` when given).

        See the module notes for the rules. With a register the cap and frequency checks
        are exact per target, counts are checked too, and a task whose eligible
        population is empty is reported.
        """
        return self._checked(items, registry, {})

    def _checked(
        self,
        items: ItemList,
        registry: TargetRegistry | None,
        masks: dict[Any, npt.NDArray[np.bool_]],
    ) -> tuple[Problem, ...]:
        """:meth:`problems`, leaving the tasks' eligible masks in ``masks``."""
        wrong: list[Problem] = []
        if not isinstance(items, ItemList):
            wrong.append(
                Problem(field="items", message=f"must be an ItemList, got {describe(items)}")
            )
        if registry is not None and not isinstance(registry, TargetRegistry):
            wrong.append(
                Problem(
                    field="registry",
                    message=f"must be None or a TargetRegistry, got {describe(registry)}",
                )
            )
        if wrong:
            raise ValidationError(wrong, what=f"annual plan {self.year}")
        out: list[Problem] = []
        out += self._structure_problems()
        out += self._item_problems(items)
        out += self._load_problems(items, registry, masks)
        return tuple(out)

    def validate(self, items: ItemList, registry: TargetRegistry | None = None) -> None:
        """Raise :class:`ValidationError` listing every problem; return ``None`` if none."""
        problems = self.problems(items, registry)
        if problems:
            raise ValidationError(problems, what=f"annual plan {self.year}")

    def _structure_problems(self) -> list[Problem]:
        out: list[Problem] = self._aligned_problems()
        seen: dict[str, int] = {}
        streams: dict[str, str] = {}
        lo, hi = _dt.date(self.year, 1, 1), _dt.date(self.year, 12, 31)
        for row, t in enumerate(self.tasks):
            bad = _task_problem(out, row, t)
            if t.id in seen:
                bad("id", f"duplicate task id (first at row {seen[t.id]})")
            seen.setdefault(t.id, row)
            if t.stream in streams and streams[t.stream] != t.id:
                bad("stream", f"stream {t.stream!r} also used by task {streams[t.stream]!r}")
            streams.setdefault(t.stream, t.id)
            prev_end: _dt.date | None = None
            for b in t.batches:
                if b.start > b.end:
                    bad("batches", f"batch {b.id}: starts {b.start} after it ends {b.end}")
                if b.start < lo or b.end > hi:
                    bad(
                        "batches",
                        f"batch {b.id}: window {b.start}..{b.end} is not inside {self.year}",
                    )
                if prev_end is not None and b.start <= prev_end:
                    bad(
                        "batches",
                        f"batch {b.id}: starts {b.start}, not after the previous batch ends "
                        f"{prev_end}",
                    )
                prev_end = b.end
        return out

    def _aligned_problems(self) -> list[Problem]:
        known = {t.id for t in self.tasks}
        out: list[Problem] = []
        grouped: dict[str, int] = {}
        for k, g in enumerate(self.aligned_tasks):
            if len(g) < 2:
                out.append(Problem(row=k, field="aligned_tasks", message="a group needs two tasks"))
            for tid in g:
                if tid not in known:
                    out.append(
                        Problem(row=k, id=tid, field="aligned_tasks", message="no such task")
                    )
                elif tid in grouped:
                    out.append(
                        Problem(
                            row=k,
                            id=tid,
                            field="aligned_tasks",
                            message=f"already in group {grouped[tid]}",
                        )
                    )
                grouped.setdefault(tid, k)
        return out

    def _item_problems(self, items: ItemList) -> list[Problem]:
        out: list[Problem] = []
        planned: set[str] = set()
        for row, t in enumerate(self.tasks):
            bad = _task_problem(out, row, t)
            has_draws = any(float(r) > 0 for r in t.ratios.values()) or any(
                int(n) > 0 for n in t.counts.values()
            )
            for item_id in t.items:
                it = items.get(item_id)
                if it is None:
                    bad("items", f"item {item_id} is not on the item list")
                    continue
                if has_draws:
                    planned.add(item_id)
                if it.department not in t.departments:
                    bad(
                        "partner_departments",
                        f"item {item_id} belongs to {it.department}, which does not take part "
                        f"in the task",
                    )
            kinds = [items[i].target_kinds for i in t.items if i in items]
            if kinds and not frozenset.intersection(*kinds):
                bad(
                    "items",
                    "the task's items share no target kind: no target can be drawn for all of them",
                )
        for it in items:
            if it.id not in planned:
                named = any(it.id in t.items for t in self.tasks)
                msg = (
                    f"item {it.id} has a task but no planned draws"
                    if named
                    else f"item {it.id} has no task"
                )
                out.append(
                    Problem(
                        id=it.id,
                        field="items",
                        message=msg + ": item coverage would be below 100%",
                        rule=_COVERAGE_RULE,
                    )
                )
        key_used = sorted(i for i in self.item_ids if i in items and items[i].kind is ItemKind.KEY)
        limit = items.max_key_items
        if limit is not None and len(key_used) > limit:
            out.append(
                Problem(
                    field="items",
                    message=f"{len(key_used)} key items planned {key_used}, "
                    f"more than the limit {limit}",
                    rule=_KEY_RULE,
                )
            )
        return out

    def _load_problems(
        self,
        items: ItemList,
        registry: TargetRegistry | None,
        masks: dict[Any, npt.NDArray[np.bool_]],
    ) -> list[Problem]:
        out: list[Problem] = []
        per_class = self.cap_scope == "class"
        for item_id in self.item_ids:
            it = items.get(item_id)
            if it is None:
                continue
            tasks = [t for t in self.tasks if item_id in t.items]
            capped = it.kind is ItemKind.GENERAL and it.ratio_cap is not None
            if capped and not per_class:
                ratio, note = _overall_ratio(tasks, items, registry, masks)
                if ratio > float(it.ratio_cap or 0) + _TOL:
                    out.append(
                        Problem(
                            id=item_id,
                            field="ratios",
                            message=f"general item {item_id}: overall yearly ratio "
                            f"{ratio:.4g}{note} exceeds its cap {it.ratio_cap:g}",
                            rule=_CAP_RULE,
                        )
                    )
            for cls in RiskClass:
                load, nominal, note = _planned_load(tasks, cls, items, registry, masks)
                if load is None:
                    continue
                if capped and per_class and nominal > float(it.ratio_cap or 0) + _TOL:
                    out.append(
                        Problem(
                            id=item_id,
                            field="ratios",
                            message=f"general item {item_id}, class {cls.name}: "
                            f"yearly ratio {nominal:.4g}{note} exceeds its cap "
                            f"{it.ratio_cap:g}",
                            rule=_CAP_RULE,
                        )
                    )
                if load > it.yearly_frequency_limit + _TOL:
                    out.append(
                        Problem(
                            id=item_id,
                            field="batches",
                            message=f"item {item_id}, class {cls.name}: planned draws "
                            f"add up to {load:.4g}{note} selections per target, above "
                            f"the limit of {it.yearly_frequency_limit} a year",
                            rule=_FREQ_RULE,
                        )
                    )
        if registry is not None and self.min_yearly_probability:
            out += self._floor_problems(items, registry, masks)
        if self.max_yearly_frequency:
            out += self._class_frequency_problems(items, registry, masks)
        if registry is not None:
            for row, t in enumerate(self.tasks):
                n_cls = _class_counts(t, registry, items, masks)
                planned = sum(t.sample_size(cls, int(n_cls[cls.value])) for cls in t.classes)
                if planned == 0:
                    out.append(
                        Problem(
                            row=row,
                            id=t.id,
                            field="target_filter",
                            message="no eligible target in the planned classes: nothing "
                            "can be drawn",
                        )
                    )
        return out

    def _floor_problems(
        self,
        items: ItemList,
        registry: TargetRegistry,
        masks: dict[Any, npt.NDArray[np.bool_]],
    ) -> list[Problem]:
        """One problem per class whose floor some active target does not reach."""
        draws = []
        for t in self.tasks:
            mask = _mask_of(t, registry, items, masks)
            n_cls = _class_counts(t, registry, items, masks)
            rates = np.zeros(len(RiskClass), dtype=np.float64)
            for cls in t.classes:
                n = int(n_cls[cls.value])
                rates[cls.value] = t.sample_size(cls, n) / n if n else 0.0
            draws.append((mask, rates, t.draws_per_year))
        p = yearly_probabilities(registry, draws)
        active = registry.column("status") == "active"
        out: list[Problem] = []
        for cls, floor in self.min_yearly_probability.items():
            rows = active & (registry.risk_codes == cls.value)
            below = rows & (p < float(floor) - _TOL)
            if below.any():
                out.append(
                    Problem(
                        field="min_yearly_probability",
                        message=f"class {cls.name}: {int(below.sum())} of {int(rows.sum())} "
                        f"active targets have a yearly probability of being drawn below the "
                        f"floor {float(floor):g} (lowest {float(p[below].min()):.4g})",
                        rule=_FLOOR_RULE,
                    )
                )
        return out

    def _class_frequency_problems(
        self,
        items: ItemList,
        registry: TargetRegistry | None,
        masks: dict[Any, npt.NDArray[np.bool_]],
    ) -> list[Problem]:
        """One problem per class whose planned yearly selections exceed its limit."""
        out: list[Problem] = []
        load = np.zeros(0 if registry is None else len(registry), dtype=np.float64)
        if registry is not None:
            for t in self.tasks:
                mask = _mask_of(t, registry, items, masks)
                n_cls = _class_counts(t, registry, items, masks)
                rates = np.zeros(len(RiskClass), dtype=np.float64)
                for cls in t.classes:
                    n = int(n_cls[cls.value])
                    rates[cls.value] = t.sample_size(cls, n) / n * t.draws_per_year if n else 0.0
                rows = np.flatnonzero(mask)
                load[rows] += rates[registry.risk_codes[rows]]
        for cls, limit in self.max_yearly_frequency.items():
            if registry is None:
                worst = sum(
                    float(t.ratios.get(cls, 0.0)) * t.draws_per_year
                    for t in self.tasks
                    if cls not in t.counts
                )
                note = " (all tasks assumed to overlap)"
            else:
                of_cls = load[registry.risk_codes == cls.value]
                worst, note = (float(of_cls.max()) if of_cls.size else 0.0), ""
            if worst > float(limit) + _TOL:
                out.append(
                    Problem(
                        field="max_yearly_frequency",
                        message=f"class {cls.name}: a target is planned for {worst:.4g} "
                        f"selections a year{note}, above the limit {float(limit):.4g}",
                        rule=_CLASS_FREQ_RULE,
                    )
                )
        return out

    # ------------------------------------------------------------------ export
    def canonical(self) -> dict[str, Any]:
        """The JSON-able form hashed by :meth:`digest` (format ``randsupervise.plan`` v1).

        ``min_yearly_probability`` and ``cap_scope`` appear only when set, so a plan
        without them keeps the form (and digest) it had before they existed.
        """
        out: dict[str, Any] = {
            "format": "randsupervise.plan",
            "version": 1,
            "year": self.year,
            "title": self.title,
            "tasks": [t.canonical() for t in self.tasks],
        }
        if self.min_yearly_probability:
            out["min_yearly_probability"] = {
                c.name: float(v) for c, v in self.min_yearly_probability.items()
            }
        if self.cap_scope != "class":
            out["cap_scope"] = self.cap_scope
        if self.max_yearly_frequency:
            out["max_yearly_frequency"] = {
                c.name: float(v) for c, v in self.max_yearly_frequency.items()
            }
        if self.aligned_tasks:
            out["aligned_tasks"] = [list(g) for g in self.aligned_tasks]
        return out

    def digest(self) -> str:
        """SHA-256 of the canonical JSON form."""
        return sha256_hex(self.canonical())

    def to_records(self) -> list[dict[str, Any]]:
        """One row per task and batch, for ``pandas.DataFrame(plan.to_records())``."""
        rows = []
        for t in self.tasks:
            for b in t.batches:
                rows.append(
                    {
                        "task": t.id,
                        "items": ",".join(t.items),
                        "departments": ",".join(t.departments),
                        "targeted": t.target_filter is not None,
                        "ratios": ",".join(f"{c.name}={r:g}" for c, r in t.ratios.items()),
                        "counts": ",".join(f"{c.name}={n}" for c, n in t.counts.items()),
                        "batch": b.id,
                        "start": b.start.isoformat(),
                        "end": b.end.isoformat(),
                        "split": t.split,
                        "stream": t.stream,
                    }
                )
        return rows

    def _columns(self) -> dict[str, list[Any]]:
        rows = self.to_records()
        keys = ["task", "items", "departments", "ratios", "counts", "batch", "start", "end"]
        return {k: [r[k] for r in rows] for k in keys}

    def __repr__(self) -> str:
        head = f"AnnualPlan(year={self.year}, tasks={len(self.tasks)}, items={len(self.item_ids)})"
        return head + "\n" + text_table(self._columns(), max_rows=5, indent="  ")

    def _repr_html_(self) -> str:
        return html_table(f"Annual plan {self.year}", self._columns())


def _task_problem(out: list[Problem], row: int, t: Task) -> Callable[[str, str], None]:
    """A function that adds a problem of task ``t`` (at ``row`` of the plan) to ``out``."""

    def bad(field: str, message: str) -> None:
        out.append(Problem(row=row, id=t.id, field=field, message=message))

    return bad


def _mask_of(
    t: Task, registry: TargetRegistry, items: ItemList, masks: dict[Any, npt.NDArray[np.bool_]]
) -> npt.NDArray[np.bool_]:
    """A task's eligible mask, computed once per check and per distinct filter.

    Tasks whose draw filters (:meth:`Task.where`) are equal share one mask.
    """
    key = ("where", tuple((k, tuple(v)) for k, v in t.where(items).items()))
    if key not in masks:
        masks[key] = t.eligible_mask(registry, items)
        masks[key].setflags(write=False)
    return masks[key]


def _class_counts(
    t: Task, registry: TargetRegistry, items: ItemList, masks: dict[Any, npt.NDArray[np.bool_]]
) -> npt.NDArray[np.int64]:
    """Eligible targets of the task per risk class code (one pass over its mask)."""
    key = ("counts", t.id)
    if key not in masks:
        mask = _mask_of(t, registry, items, masks)
        n = np.bincount(registry.risk_codes[mask], minlength=len(RiskClass))
        masks[key] = n  # type: ignore[assignment]
    return masks[key]  # type: ignore[return-value]


def _planned_load(
    tasks: list[Task],
    cls: RiskClass,
    items: ItemList,
    registry: TargetRegistry | None,
    masks: dict[Any, npt.NDArray[np.bool_]],
) -> tuple[float | None, float, str]:
    """Planned selections per target of class ``cls`` for the item of ``tasks``.

    Returns ``(frequency load, nominal ratio, note)``. The frequency load uses the
    rounded sample sizes ``n / N`` (what the pigeonhole bound needs); the nominal ratio
    compared with a general item's cap uses the ratios as written (a count counts as
    ``count / N``), since rounding up to a whole target is what "at least r" means.
    """
    if registry is None:
        total = 0.0
        for t in tasks:
            if cls in t.counts:
                continue  # a count's rate needs the register; run_plan checks it
            total += float(t.ratios.get(cls, 0.0)) * t.draws_per_year
        return (total if total > 0 else None), total, " (all tasks assumed to overlap)"
    if len(tasks) == 1:
        # one draw source: every eligible target of the class carries the same load
        t = tasks[0]
        n_pop = int(_class_counts(t, registry, items, masks)[cls.value])
        if n_pop == 0:
            return None, 0.0, ""
        one = 0.0 + t.sample_size(cls, n_pop) / n_pop * t.draws_per_year
        if cls in t.counts:
            nom = 0.0 + min(int(t.counts[cls]), n_pop) / n_pop * t.draws_per_year
        else:
            nom = 0.0 + float(t.ratios.get(cls, 0.0)) * t.draws_per_year
        return (one if one > 0 else None), max(nom, 0.0), ""
    risk = registry.risk_codes == cls.value
    load = np.zeros(len(registry), dtype=np.float64)
    nominal = np.zeros(len(registry), dtype=np.float64)
    for t in tasks:
        mask = _mask_of(t, registry, items, masks) & risk
        n_pop = int(np.count_nonzero(mask))
        if n_pop == 0:
            continue
        load[mask] += t.sample_size(cls, n_pop) / n_pop * t.draws_per_year
        if cls in t.counts:
            nominal[mask] += min(int(t.counts[cls]), n_pop) / n_pop * t.draws_per_year
        else:
            nominal[mask] += float(t.ratios.get(cls, 0.0)) * t.draws_per_year
    mx = float(load.max()) if load.size else 0.0
    return (mx if mx > 0 else None), float(nominal.max()) if nominal.size else 0.0, ""


def yearly_probabilities(
    registry: TargetRegistry,
    draws: Iterable[tuple[npt.NDArray[np.bool_], npt.NDArray[np.float64], int]],
) -> npt.NDArray[np.float64]:
    """Each register row's probability of being drawn at least once in the year.

    ``draws`` holds, per draw source, the rows it draws from (a mask), the rate per
    risk class code (``n / N``) and how many times it draws (its batches, 1 for a split
    task). Draws use independent streams, so the probability of never being drawn is the
    product of ``1 - rate`` (architecture principle 8). This is the one place the rule lives:
    the plan's floor check and :func:`randsupervise.metrics.yearly_inclusion` use it.

    Examples:
        >>> reg = TargetRegistry.from_columns(id=["a", "b"], risk_class=["A", "D"])
        >>> both = np.ones(2, dtype=bool)
        >>> rates = np.asarray([0.5, 0.0, 0.0, 1.0])
        >>> yearly_probabilities(reg, [(both, rates, 2)]).tolist()
        [0.75, 1.0]
    """
    miss = np.ones(len(registry), dtype=np.float64)
    risk = registry.risk_codes
    for mask, rates, times in draws:
        rows = np.flatnonzero(mask)
        miss[rows] *= (1.0 - np.clip(rates[risk[rows]], 0.0, 1.0)) ** int(times)
    out: npt.NDArray[np.float64] = 1.0 - miss
    return out


def _overall_ratio(
    tasks: list[Task],
    items: ItemList,
    registry: TargetRegistry | None,
    masks: dict[Any, npt.NDArray[np.bool_]],
) -> tuple[float, str]:
    """An item's overall yearly ratio: planned selections over its eligible population.

    Without a register, the smallest class ratio (a lower bound of the overall one).
    """
    if registry is None:
        lows = []
        for cls in RiskClass:
            total = sum(
                float(t.ratios.get(cls, 0.0)) * t.draws_per_year
                for t in tasks
                if cls not in t.counts
            )
            lows.append(total)
        return min(lows), " (at least: the smallest class ratio, without a register)"
    eligible = np.zeros(len(registry), dtype=bool)
    selections = 0.0
    for t in tasks:
        mask = _mask_of(t, registry, items, masks)
        eligible |= mask
        n_cls = _class_counts(t, registry, items, masks)
        for cls in t.classes:
            n = int(n_cls[cls.value])
            if cls in t.counts:
                selections += min(int(t.counts[cls]), n) * t.draws_per_year
            else:
                selections += float(t.ratios.get(cls, 0.0)) * n * t.draws_per_year
    n_all = int(eligible.sum())
    return (selections / n_all if n_all else 0.0), ""
