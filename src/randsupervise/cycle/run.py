"""Running the plan: draws, visits, teams, batch order, and one receipt for the year.

Invariants (plan §三(五)-(六); architecture principles 3 and 4):

* :func:`run_plan` validates the plan against the item list **and the register** first
  (:meth:`AnnualPlan.validate`); a plan with any problem raises before anything is drawn.
* Every draw of the year is made by :mod:`randsupervise.cycle.draws` (its stream,
  sizes, frequency limits, batches).
* Hits become visits by the merge rule of :mod:`randsupervise.cycle.visits`.
* Teams come from the assignment engine under the stream ``"<year>/teams"``.
* **Batch order**: visits are ordered by window start, window end, then the ticket of
  the visit id under the stream ``"<year>/visit-order"`` (random order within a window).
* **The plan receipt** (``docs/spec/receipts.md``, kind ``"plan"``) holds the plan, the
  seed with its public source, the digests of the register, the item list and the
  inspector pool, every draw receipt, the visits' digest and the assignment receipt;
  its ``receipt_digest`` seals all of that (version 1: ``digest``). :func:`verify_plan`
  recomputes the whole year and reports every JSON path that differs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any, TypedDict

import attrs
import numpy as np

from randsupervise._core.canonical import sha256_hex
from randsupervise._core.display import columns, html_table, table_repr
from randsupervise._core.envelope import RECEIPT_FORMAT, seal
from randsupervise._core.frozen import freeze
from randsupervise._core.gc_pause import gc_paused
from randsupervise._core.progress import Progress, check_progress
from randsupervise.assign import (
    ALGORITHM_VERSION,
    Assignment,
    RegionRule,
    group_recusal,
    rotation_from,
)
from randsupervise.calendar import WorkCalendar
from randsupervise.cycle._engines import assign_teams
from randsupervise.cycle.draws import DrawRecord, _draws
from randsupervise.cycle.plan import AnnualPlan
from randsupervise.cycle.visits import HitSource, Visit, merge_hits, visits_digest
from randsupervise.draw import Seed, tickets_for_ids
from randsupervise.errors import Problem, ValidationError
from randsupervise.model import TargetRegistry
from randsupervise.model.inspectors import InspectorPool
from randsupervise.model.items import ItemList

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["PLAN_VERSIONS", "DrawRecord", "PlanRun", "TeamRules", "run_plan"]

_V1_FORMAT = "randsupervise.plan-receipt"
#: Plan receipt versions this release verifies; it writes the last. Version 1 counted
#: frequency limits in the plan itself (its draw receipts do not verify on their own).
PLAN_VERSIONS = (1, 2)


#: The columns a repr shows.
_REPR_KEYS = ("order", "visit", "risk_class", "items", "departments", "start", "end", "team")


@attrs.frozen(kw_only=True)
class PlanRun:
    """The drawn year: draws, visits in batch order, teams and the plan receipt."""

    plan: AnnualPlan = attrs.field(repr=False)
    seed: Seed
    draws: tuple[DrawRecord, ...] = attrs.field(repr=False)
    visits: tuple[Visit, ...] = attrs.field(repr=False)
    teams: Mapping[str, tuple[str, ...]] = attrs.field(repr=False)
    assignment: Assignment = attrs.field(repr=False, eq=False)
    receipt: Mapping[str, Any] = attrs.field(repr=False, converter=freeze)

    @property
    def year(self) -> int:
        return self.plan.year

    @property
    def digest(self) -> str:
        """The plan receipt's digest: it covers the whole drawn year."""
        return str(self.receipt.get("receipt_digest", self.receipt.get("digest")))

    def visit(self, visit_id: str) -> Visit:
        for v in self.visits:
            if v.id == visit_id:
                return v
        raise KeyError(visit_id)

    def to_records(self) -> list[dict[str, Any]]:
        """One row per visit (batch order), for ``pandas.DataFrame(run.to_records())``."""
        return [
            {
                "order": k,
                "visit": v.id,
                "target": v.target_id,
                "risk_class": v.risk_class.name,
                "region": v.region,
                "items": ",".join(v.items),
                "departments": ",".join(v.departments),
                "start": v.start.isoformat(),
                "end": v.end.isoformat(),
                "team": ",".join(self.teams.get(v.id, ())),
            }
            for k, v in enumerate(self.visits, start=1)
        ]

    def draw_records(self) -> list[dict[str, Any]]:
        """One row per draw and class: population, available, sample size, shortfall."""
        return [
            {"task": d.task, "batches": ",".join(d.batches), "stream": d.stream, "class": c,
             "population": d.population[c], "available": d.available[c],
             "sample_size": d.sample_size[c], "shortfall": d.shortfall[c]}
            for d in self.draws
            for c in d.population
        ]  # fmt: skip

    def __repr__(self) -> str:
        joint = sum(v.is_joint for v in self.visits)
        head = (
            f"PlanRun(year={self.year}, draws={len(self.draws)}, visits={len(self.visits)}, "
            f"joint={joint}, digest={self.digest[:16]}…)"
        )
        return table_repr(head, self.to_records(), _REPR_KEYS)

    def _repr_html_(self) -> str:
        title = f"Plan run {self.year} — digest {self.digest[:16]}…"
        return html_table(title, columns(self.to_records(), _REPR_KEYS))


@gc_paused
def run_plan(
    plan: AnnualPlan,
    registry: TargetRegistry,
    items: ItemList,
    pool: InspectorPool,
    *,
    seed: Seed,
    calendar: WorkCalendar,
    progress: Progress | None = None,
    **rules: Unpack[TeamRules],
) -> PlanRun:
    """Draw the year: validate, draw per task and batch, merge visits, assign teams.

    Args:
        plan: The annual plan.
        registry: The target register, frozen for the year.
        items: The item list.
        pool: The inspector register.
        seed: The public seed of the year.
        calendar: The working-day calendar (recorded in the receipt; deadlines use it).
        progress: Called as ``progress(done, total)`` after each draw of the plan (see
            ``randsupervise.interop.tqdm_progress``); it does not change the result.
        **rules: The rules the teams obey (:class:`TeamRules`: conflicts, rotation, load
            limits, regions, the earlier periods and the firm groups).

    Raises:
        ValidationError: the plan has a problem (every problem listed); nothing is drawn.

    Examples:
        >>> from datetime import date
        >>> from randsupervise.calendar import china
        >>> from randsupervise.model.sample import sample_items, sample_inspectors, sample_registry
        >>> from randsupervise.cycle.plan import AnnualPlan, Batch, Task
        >>> plan = AnnualPlan(year=2024, tasks=[Task(id="T1", items=["K01"],
        ...     lead_department="文化市场综合行政执法大队", ratios=0.05,
        ...     batches=[Batch(id="Q2", start=date(2024, 4, 1), end=date(2024, 6, 30))])])
        >>> run_plan(plan, sample_registry(), sample_items(), sample_inspectors(),
        ...          seed=Seed.from_text("2024"), calendar=china())
        Traceback (most recent call last):
        ...
        randsupervise.errors.ValidationError: annual plan 2024: 12 problems:
          id 'G01', field 'items': item G01 has no task: item coverage would be below 100%
        ...
    """
    year = _Inputs(plan=plan, registry=registry, items=items, pool=pool, seed=seed,
                   calendar=calendar, rules=rules)  # fmt: skip
    return _run(year, version=PLAN_VERSIONS[-1], progress=progress)


class TeamRules(TypedDict, total=False):
    """The rules the year's teams obey, as :func:`run_plan` and
    :func:`~randsupervise.cycle.verify.verify_plan` take them (keyword arguments).

    Attributes:
        conflicts: ``(inspector id, target id)`` pairs that must not meet (回避).
        rotation: ``(inspector id, target id)`` pairs of recent periods, not to repeat.
        load_limits: Most visits per inspector (see ``randsupervise.assign.assign``).
        region_rule: Which inspectors may serve which regions (default: their own).
        earlier: The earlier periods' assignments, oldest first: with the plan's
            ``rotation_periods`` N, nobody is drawn for a target (or a firm of its group)
            they served on in the last N of them
            (:func:`~randsupervise.assign.rotation_from`).
        target_groups: Target id -> firm group (affiliated firms): rotation and recusal
            (``conflicts``) with one firm apply to every firm of its group
            (:func:`~randsupervise.assign.group_recusal`).
        joint_load: The load a member of a joint visit carries (default 1).
        period_limits: Most load per inspector within one batch (a visit's period is its
            batch), besides ``load_limits`` for the year.
    """

    conflicts: Iterable[tuple[str, str]]
    rotation: Iterable[tuple[str, str]]
    load_limits: int | Mapping[str, int] | None
    region_rule: RegionRule | None
    earlier: Sequence[Assignment]
    target_groups: Mapping[str, str] | None
    joint_load: int
    period_limits: int | Mapping[str, int] | None


@attrs.frozen(kw_only=True)
class _Inputs:
    """What a year is drawn from: :func:`run_plan`'s arguments, each of its type (every
    one that is not named), so the year is drawn only from what the plan's rules read."""

    plan: AnnualPlan
    registry: TargetRegistry
    items: ItemList
    pool: InspectorPool
    seed: Seed
    calendar: WorkCalendar
    #: the teams' rules (:class:`TeamRules`), checked when the inputs are built
    rules: Mapping[str, Any] = attrs.field(factory=dict)

    def team_pairs(self) -> tuple[frozenset[tuple[str, str]], frozenset[tuple[str, str]]]:
        """The (conflicts, rotation) pairs the teams obey: those given, widened to the
        firm groups, and rotation read from the earlier periods (plan's
        ``rotation_periods``)."""
        rules = self.rules
        earlier, groups = rules.get("earlier", ()), rules.get("target_groups")
        if earlier and not self.plan.rotation_periods:
            raise ValidationError(
                [Problem(field="earlier", message="earlier assignments given, but the plan "
                         "states no rotation_periods")],
                what="run_plan",
            )  # fmt: skip
        returns = rotation_from(earlier, periods=self.plan.rotation_periods, groups=groups)
        given = group_recusal(list(rules.get("rotation", ())), groups)
        return group_recusal(list(rules.get("conflicts", ())), groups), given | returns

    def __attrs_post_init__(self) -> None:
        types = {"plan": AnnualPlan, "registry": TargetRegistry, "items": ItemList,
                 "pool": InspectorPool, "seed": Seed, "calendar": WorkCalendar}  # fmt: skip
        problems = [
            Problem(field=n, message=f"expected {t.__name__}, not {type(v).__name__}")
            for n, t in types.items()
            if not isinstance(v := getattr(self, n), t)
        ]
        names = list(TeamRules.__annotations__)
        problems += [
            Problem(field=k, message=f"not a team rule; one of {names}")
            for k in sorted(set(self.rules) - set(names))
        ]
        if problems:
            raise ValidationError(problems, what="run_plan")


def _run(
    year: _Inputs,
    *,
    version: int,
    progress: Progress | None = None,
    algorithm_version: int = ALGORITHM_VERSION,
) -> PlanRun:
    check_progress(progress, what="run_plan")
    plan, registry, seed = year.plan, year.registry, year.seed
    checked: dict[Any, np.ndarray[Any, np.dtype[np.bool_]]] = {}
    problems = plan._checked(year.items, registry, checked)
    if problems:
        raise ValidationError(problems, what=f"annual plan {plan.year}")
    records, rows, src, sources = _draws(
        plan, registry, year.items, seed=seed, checked=checked, version=version, progress=progress
    )
    if plan.aligned_tasks:
        src, sources = _align(plan, rows, src, sources)
    visits = merge_hits(
        plan.year, rows, src, sources, registry.ids, registry.column("region"),
        registry.risk_codes,
    )  # fmt: skip
    visits = _batch_order(visits, seed=seed, stream=f"{plan.year}/visit-order")
    conflicts, rotation = year.team_pairs()
    assignment = assign_teams(
        visits, year.pool, seed=seed, stream=f"{plan.year}/teams", items=year.items,
        version=version, algorithm_version=algorithm_version, conflicts=conflicts,
        rotation=rotation, load_limits=year.rules.get("load_limits"),
        region_rule=year.rules.get("region_rule"), joint_load=year.rules.get("joint_load", 1),
        period_limits=year.rules.get("period_limits"),
    )  # fmt: skip
    teams = {t.visit: tuple(sorted(t.members)) for t in assignment.teams}
    receipt = _plan_receipt(year, records, visits, assignment, teams, version)
    return PlanRun(plan=plan, seed=seed, draws=tuple(records), visits=tuple(visits),
                   teams=teams, assignment=assignment, receipt=receipt)  # fmt: skip


def _align(
    plan: AnnualPlan,
    rows: np.ndarray[Any, np.dtype[np.int64]],
    src: np.ndarray[Any, np.dtype[np.int64]],
    sources: list[HitSource],
) -> tuple[np.ndarray[Any, np.dtype[np.int64]], list[HitSource]]:
    """The hits with the plan's aligned tasks in one window per target (module notes).

    Each hit of a group's task takes the window of its target's earliest hit of the
    group (window start, window end, plan position); a source with a borrowed window is
    a copy of the hit's own source with the earliest hit's dates.
    """
    group_of = {tid: k for k, g in enumerate(plan.aligned_tasks) for tid in g}
    s_group = np.asarray([group_of.get(s.task, -1) for s in sources], dtype=np.int64)
    s_start = np.asarray([s.start.toordinal() for s in sources], dtype=np.int64)
    s_end = np.asarray([s.end.toordinal() for s in sources], dtype=np.int64)
    s_pos = np.asarray([s.task_pos for s in sources], dtype=np.int64)
    hits = np.flatnonzero(s_group[src] >= 0)
    if not hits.size:
        return src, sources
    g, r, k = s_group[src[hits]], rows[hits], src[hits]
    order = np.lexsort((s_pos[k], s_end[k], s_start[k], r, g))
    g, r, k, hits = g[order], r[order], k[order], hits[order]
    first = np.r_[True, (g[1:] != g[:-1]) | (r[1:] != r[:-1])]
    lead = k[np.flatnonzero(first)[np.cumsum(first) - 1]]
    out_src = src.copy()
    out_sources = list(sources)
    made: dict[tuple[int, int], int] = {}
    for h, own, win in zip(hits.tolist(), k.tolist(), lead.tolist(), strict=True):
        if own == win or (sources[own].start, sources[own].end) == (
            sources[win].start,
            sources[win].end,
        ):
            continue
        key = (own, win)
        if key not in made:
            made[key] = len(out_sources)
            out_sources.append(
                attrs.evolve(sources[own], start=sources[win].start, end=sources[win].end)
            )
        out_src[h] = made[key]
    return out_src, out_sources


def _batch_order(visits: list[Visit], *, seed: Seed, stream: str) -> list[Visit]:
    if not visits:
        return visits
    t = tickets_for_ids([v.id for v in visits], seed, stream)
    start = np.asarray([v.start.toordinal() for v in visits])
    end = np.asarray([v.end.toordinal() for v in visits])
    order = np.lexsort((t, end, start))
    return [visits[int(i)] for i in order]


def _plan_receipt(
    year: _Inputs,
    records: list[DrawRecord],
    visits: list[Visit],
    assignment: Assignment,
    teams: Mapping[str, tuple[str, ...]],
    version: int,
) -> Mapping[str, Any]:
    def bound(receipt: Mapping[str, Any]) -> str:
        """How the plan receipt binds a nested receipt: its own digest (version 2), or
        the v1 digest of the whole nested receipt."""
        if version == 1:
            return sha256_hex(dict(receipt))
        return str(receipt["receipt_digest"])

    head: dict[str, Any] = (
        {"format": _V1_FORMAT, "version": 1}
        if version == 1
        else {"format": RECEIPT_FORMAT, "kind": "plan", "version": version}
    )
    body: dict[str, Any] = {
        **head,
        "year": year.plan.year,
        "plan_digest": year.plan.digest(),
        "plan": year.plan.canonical(),
        "seed": year.seed.hex,
        "seed_source": year.seed.source,
        "registry_digest": year.registry.digest(),
        "items_digest": year.items.digest(),
        "pool_digest": year.pool.digest(),
        "calendar": year.calendar.name,
        "draws": [
            {
                "task": d.task,
                "batches": list(d.batches),
                "stream": d.stream,
                "shortfall": dict(d.shortfall),
                "receipt_digest": bound(d.receipt),
                "receipt": d.receipt,
            }
            for d in records
        ],
        "visits_digest": visits_digest(visits),
        "visit_order_stream": f"{year.plan.year}/visit-order",
        "assignment": {
            "stream": assignment.stream,
            "receipt_digest": bound(assignment.receipt),
            "receipt": assignment.receipt,
            "teams_digest": _teams_digest(teams),
        },
    }
    sealed: Mapping[str, Any] = seal(body, "v1", key="digest") if version == 1 else seal(body)
    return sealed


def _teams_digest(teams: Mapping[str, tuple[str, ...]]) -> str:
    """``sha256_hex(sorted([visit, list(team)] ...))``, the canonical text written directly.

    Visit ids are unique, so sorting the pairs is sorting by visit id.
    """
    enc = encode_basestring
    text = ",".join(
        "[" + enc(k) + ",[" + ",".join(enc(m) for m in teams[k]) + "]]" for k in sorted(teams)
    )
    return hashlib.sha256(("[" + text + "]").encode("utf-8")).hexdigest()
