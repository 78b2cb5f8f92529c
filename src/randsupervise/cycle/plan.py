"""The annual random-inspection plan (年度抽查计划): its tasks, checks and canonical form.

Invariants, each with the rule it comes from:

* A plan covers one calendar ``year``. It is made of :class:`~randsupervise.cycle.tasks.Task` s
  (:mod:`randsupervise.cycle.tasks`: items, departments, filter, ratios or counts,
  batches).
* **Plan-time validation** (:meth:`AnnualPlan.problems`) reports every problem at once
  and nothing is drawn from a plan that has one: item coverage 100%, caps, key items,
  frequency limits, batch windows, the cap's scope (``cap_scope``), a floor on the
  yearly probability (``min_yearly_probability``) and a frequency per class
  (``max_yearly_frequency``). The rules are written once, in
  :mod:`randsupervise.cycle.plan_checks`; the planned load they bound, in
  :mod:`randsupervise.cycle.load`.
* ``cap_scope``, ``min_yearly_probability`` and ``max_yearly_frequency`` are checks
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

import enum
from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from randsupervise._core import validation as _v
from randsupervise._core.canonical import sha256_hex
from randsupervise._core.display import columns, html_table, table_repr
from randsupervise.cycle.load import eligible_masks, yearly_probabilities
from randsupervise.cycle.plan_checks import item_problems, load_problems, structure_problems
from randsupervise.cycle.tasks import (
    FILTER_KEYS,
    Batch,
    Task,
    _class_map,
    _class_map_problems,
    _ratio_problems,
)
from randsupervise.errors import Problem, UnknownIdError, ValidationError
from randsupervise.model import RiskClass, TargetRegistry
from randsupervise.model.items import ItemList

__all__ = [
    "CAP_SCOPES",
    "FILTER_KEYS",
    "AnnualPlan",
    "Batch",
    "CapScope",
    "Task",
    "eligible_masks",
    "yearly_probabilities",
]


class CapScope(str, enum.Enum):
    """How a general item's cap is read (module notes): per risk class (the default) or
    over the item's whole eligible population."""

    CLASS = "class"
    OVERALL = "overall"


#: The values of :class:`CapScope`, as plans and plan files write them.
CAP_SCOPES: tuple[str, ...] = tuple(s.value for s in CapScope)


def _cap_scope(value: object) -> object:
    """A :class:`CapScope` from a member or its value; anything else kept for the report."""
    try:
        return CapScope(value)
    except ValueError:
        return value


def _groups(v: object) -> tuple[tuple[str, ...], ...]:
    """Converter: groups of task ids, each sorted; anything else kept for the report."""
    if isinstance(v, str) or not isinstance(v, Iterable):
        return v  # type: ignore[return-value]
    out = []
    for g in v:
        if isinstance(g, str) or not isinstance(g, Iterable):
            return v  # type: ignore[return-value]
        members = tuple(g)
        if not all(_v.is_text(m) for m in members):
            return v  # type: ignore[return-value]
        out.append(tuple(sorted(set(members))))
    return tuple(out)


def _tasks(v: Iterable[Task]) -> tuple[Task, ...]:
    return _v.to_tuple(v)


#: The columns a repr shows.
_REPR_KEYS = ("task", "items", "departments", "ratios", "counts", "batch", "start", "end")


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
    #: ``CapScope.CLASS`` (``"class"``): a general item's cap bounds each class;
    #: ``CapScope.OVERALL`` (``"overall"``): the item's overall ratio (module notes)
    cap_scope: CapScope = attrs.field(default=CapScope.CLASS, converter=_cap_scope)
    #: per class, the most selections per year a target may be planned for, over every
    #: task (0.5: once in two years); a check only
    max_yearly_frequency: Mapping[RiskClass, float] = attrs.field(
        factory=dict, converter=_class_map
    )
    #: groups of task ids whose hits on one target are aligned into one window
    aligned_tasks: tuple[tuple[str, ...], ...] = attrs.field(default=(), converter=_groups)
    #: rotation: no inspector returns to a target (or a firm of its group) they served on
    #: in the last ``rotation_periods`` periods; read from the earlier periods'
    #: assignments given to :func:`~randsupervise.cycle.run.run_plan` (0: no rotation)
    rotation_periods: int = 0

    def __attrs_post_init__(self) -> None:
        # a year is a calendar year datetime.date can hold (1..9999)
        problems = _v.int_problems(self.year, "year", min_value=1, max_value=9999)
        if not problems:
            object.__setattr__(self, "year", int(self.year))
        if not isinstance(self.tasks, tuple):
            problems.append(_v.wrong_type(self.tasks, "tasks", "a collection of Task"))
        else:
            problems += [
                Problem(row=k, field="tasks", message=f"not a Task: {_v.describe(t)}")
                for k, t in enumerate(self.tasks)
                if not isinstance(t, Task)
            ]
        problems += _v.text_problems(self.title, "title", required=False)
        problems += _v.int_problems(self.rotation_periods, "rotation_periods", min_value=0)
        problems += _class_map_problems(
            self.min_yearly_probability, "min_yearly_probability", None, _ratio_problems
        )
        problems += _class_map_problems(
            self.max_yearly_frequency,
            "max_yearly_frequency",
            None,
            lambda v, f: _v.real_problems(v, f, min_value=0.0),
        )
        if not isinstance(self.aligned_tasks, tuple) or not all(
            isinstance(g, tuple) for g in self.aligned_tasks
        ):
            problems.append(
                _v.wrong_type(self.aligned_tasks, "aligned_tasks", "groups of task ids")
            )
        if not isinstance(self.cap_scope, CapScope):
            problems.append(
                Problem(
                    field="cap_scope",
                    message=f"must be one of {list(CAP_SCOPES)}, got {_v.describe(self.cap_scope)}",
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
            if _v.is_text(task_id) and t.id == task_id:
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
            wrong.append(_v.wrong_type(items, "items", "an ItemList"))
        if registry is not None and not isinstance(registry, TargetRegistry):
            wrong.append(_v.wrong_type(registry, "registry", "None or a TargetRegistry"))
        if wrong:
            raise ValidationError(wrong, what=f"annual plan {self.year}")
        out = structure_problems(self.year, self.tasks, self.aligned_tasks)
        out += item_problems(self.tasks, items)
        out += load_problems(
            self.tasks,
            items,
            registry,
            masks,
            cap_scope=self.cap_scope,
            min_yearly_probability=self.min_yearly_probability,
            max_yearly_frequency=self.max_yearly_frequency,
        )
        return tuple(out)

    def validate(self, items: ItemList, registry: TargetRegistry | None = None) -> None:
        """Raise :class:`ValidationError` listing every problem; return ``None`` if none."""
        problems = self.problems(items, registry)
        if problems:
            raise ValidationError(problems, what=f"annual plan {self.year}")

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
        if self.cap_scope is not CapScope.CLASS:
            out["cap_scope"] = self.cap_scope.value
        if self.max_yearly_frequency:
            out["max_yearly_frequency"] = {
                c.name: float(v) for c, v in self.max_yearly_frequency.items()
            }
        if self.aligned_tasks:
            out["aligned_tasks"] = [list(g) for g in self.aligned_tasks]
        if self.rotation_periods:
            out["rotation_periods"] = self.rotation_periods
        return out

    def digest(self) -> str:
        """SHA-256 of the canonical JSON form."""
        return sha256_hex(self.canonical())

    def to_records(self) -> list[dict[str, Any]]:
        """One row per task and batch, for ``pandas.DataFrame(plan.to_records())``."""
        return [
            {"task": t.id, "items": ",".join(t.items), "departments": ",".join(t.departments),
             "targeted": t.target_filter is not None,
             "ratios": ",".join(f"{c.name}={r:g}" for c, r in t.ratios.items()),
             "counts": ",".join(f"{c.name}={n}" for c, n in t.counts.items()),
             "batch": b.id, "start": b.start.isoformat(), "end": b.end.isoformat(),
             "split": t.split, "stream": t.stream}
            for t in self.tasks
            for b in t.batches
        ]  # fmt: skip

    def __repr__(self) -> str:
        head = f"AnnualPlan(year={self.year}, tasks={len(self.tasks)}, items={len(self.item_ids)})"
        return table_repr(head, self.to_records(), _REPR_KEYS)

    def _repr_html_(self) -> str:
        return html_table(f"Annual plan {self.year}", columns(self.to_records(), _REPR_KEYS))
