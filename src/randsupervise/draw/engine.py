"""The draw: targets chosen by tickets, stratum by stratum, with a receipt.

Invariants (plan §三(二), §三(五); architecture principles 3, 4, 7 and 8):

* A draw is a pure function of (register content, seed, stream label, policy, history).
  Shuffling the register's rows changes nothing: not the selection, not its order, not
  the receipt.
* :func:`draw` is the one draw function: it takes a :class:`~.policy.DrawPolicy` (or the
  keyword options that build one, :class:`~.policy.DrawOptions`) and one
  :class:`~.history.History`; the Dask draw, the plan and the CLI go through the same
  rules (:func:`run_policy`, :mod:`.frequency`, :mod:`.batches`).
* Tickets are computed once per draw, stratum by stratum, from fingerprints cached with
  the register; strata are found through codes cached with the register; no Python loop
  runs over units (only over the few units a tie leaves in doubt).
* **Targeted draws** (定向抽查) first keep the units matching the filter; **frequency
  limits** (MIIT: same item, same target at most once a year in principle) then drop the
  units whose count for the item this year already reached the item's
  ``yearly_frequency_limit`` (:mod:`.frequency`). Both are recorded in the receipt.
* Each stratum's units are selected by the policy's method (:mod:`.selection`); the
  selection is listed in ticket order. The batch order is its own random decision with
  its own stream (:mod:`.batches`).
* **Burden spreading** (plan §三(五), 无事不扰 / 利剑高悬; :mod:`.coordination`): with the
  history's earlier periods (``History(periods=...)``) and a ``floor``, each stratum of
  the ``smallest`` method is drawn by history tiers
  (:func:`~randsupervise.draw.coordination.coordinated_select`): exact size, every unit at
  least the floor, exact per-unit probabilities. The receipt records the periods' digest
  and the tiers; the floor is part of the policy.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

import attrs
import numpy as np
import numpy.typing as npt

from randsupervise._core.frozen import readonly
from randsupervise._core.validation import check_label
from randsupervise.draw.allocation import ALL_STRATUM, StratumAllocation
from randsupervise.draw.batches import check_version
from randsupervise.draw.coordination import BurdenHistory, BurdenTier, coordinated_select
from randsupervise.draw.frequency import frequency_exclusions
from randsupervise.draw.history import History, as_history
from randsupervise.draw.policy import DrawPolicy, Method, policy_of
from randsupervise.draw.receipt import DRAW_VERSION
from randsupervise.draw.result import Draw, StratumDraw
from randsupervise.draw.selection import (
    pips_probabilities,
    select_order_sampling,
    select_poisson,
    smallest_in_ticket_order,
)
from randsupervise.errors import Problem, ValidationError
from randsupervise.model.targets import TargetRegistry
from randsupervise.tickets.function import tickets as _tickets
from randsupervise.tickets.seed import Seed, as_seed

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from randsupervise.draw.policy import DrawOptions

__all__ = ["draw", "run_policy"]

IntArray = npt.NDArray[np.int64]
U64Array = npt.NDArray[np.uint64]
F64Array = npt.NDArray[np.float64]
#: Per stratum: its label, its eligible register rows and their fingerprints.
_Strata = list[tuple[str, IntArray, U64Array]]
#: One stratum's selection: its local positions, their tickets, their probabilities,
#: every unit's probability (or None), n/N (or None), the expected size, the note, the
#: tiers (or None).
_Selected = tuple[
    IntArray,
    U64Array,
    F64Array,
    F64Array | None,
    float | None,
    float,
    str,
    tuple[BurdenTier, ...] | None,
]


def _check_inputs(
    registry: object, seed: object, stream: str, policy: DrawPolicy, burden: object
) -> None:
    """The register, seed, stream and burden history a draw needs, or a ValidationError."""
    if not isinstance(registry, TargetRegistry):
        raise ValidationError([Problem(field="registry", message="expected a TargetRegistry")])
    check_label(stream, "stream", what="draw")
    if not isinstance(seed, Seed):
        raise ValidationError([Problem(field="seed", message="expected a Seed")], what="draw")
    _check_burden(policy, burden)


def _check_burden(policy: DrawPolicy, burden: object) -> None:
    """A floor has a history to spread over, a history periods for the 'smallest' method
    only: the rule of every draw path (in memory, on Dask)."""
    if burden is not None and not isinstance(burden, BurdenHistory):
        raise ValidationError([Problem(field="burden", message="expected a BurdenHistory")])
    if burden is None and policy.floor is not None:
        message = (
            "a floor needs the inspection history it spreads the burden over: pass "
            "history=History.from_periods(...) (History.from_periods([]) for none)"
        )
        raise ValidationError([Problem(field="floor", message=message)])
    if burden is not None and policy.method != Method.SMALLEST:
        message = (
            f"burden spreading works with the 'smallest' method only, not {policy.method.value!r}"
        )
        raise ValidationError([Problem(field="burden", message=message)])


def _eligible_strata(
    registry: TargetRegistry,
    policy: DrawPolicy,
    excluded: tuple[str, ...],
    where_mask: npt.NDArray[np.bool_] | None,
) -> _Strata:
    """Each stratum's eligible rows: the targeted-draw filter, then the exclusions."""
    eligible: npt.NDArray[np.bool_] | None = None
    if policy.where:
        eligible = (
            registry.mask(**{k: list(v) for k, v in policy.where.items()})
            if where_mask is None
            else where_mask
        )
    if excluded:
        eligible = np.ones(len(registry), dtype=bool) if eligible is None else eligible.copy()
        eligible[registry.index_of(excluded)] = False
    if policy.stratify is None:
        labels: tuple[str, ...] = (ALL_STRATUM,)
        all_pos = np.arange(len(registry), dtype=np.int64)
        groups: tuple[tuple[IntArray, ...], tuple[U64Array, ...]] = (
            (all_pos,),
            (registry.fingerprints,),
        )
    else:
        labels = registry.categories(policy.stratify)
        groups = registry.strata_index(policy.stratify)
    out: _Strata = []
    for label, pos, fp in zip(labels, *groups, strict=True):
        keep = slice(None) if eligible is None else eligible[pos]
        out.append((label, pos[keep], fp[keep]))
    return out


def _select(
    registry: TargetRegistry,
    policy: DrawPolicy,
    a: StratumAllocation,
    pos: IntArray,
    fp: U64Array,
    key: tuple[Seed, str],
    last: IntArray | None,
    floor: float | None,
) -> _Selected:
    """One stratum's selection by the policy's method, or by history tiers when ``last``
    (each unit's last inspected period) is given; ``fp`` are the units' fingerprints and
    ``key`` the draw's (seed, stream)."""
    ids = registry.ids
    seed, stream = key

    def ids_for(loc: IntArray) -> list[str]:
        out: list[str] = ids[pos[loc]].tolist()
        return out

    n, big_n = a.sample_size, a.population
    if last is None and policy.method == Method.SMALLEST:
        # tickets made block by block and screened: only those that can be drawn are kept
        sel, tk = smallest_in_ticket_order(
            fp.size, n, lambda i, j: _tickets(fp[i:j], seed, stream), ids_for
        )
        p = n / big_n if big_n else 0.0
        return sel, tk, np.full(sel.size, p, dtype=np.float64), None, p, float(n), a.note, None
    t = _tickets(fp, seed, stream)
    if last is not None:
        coord = coordinated_select(t, ids[pos], last[pos], n, floor=floor)
        sel, lam = coord.positions, coord.inclusion_probabilities
        pi = (n / big_n if big_n else 0.0) if len(coord.tiers) <= 1 else None
        return sel, t[sel], lam[sel], lam, pi, float(n), a.note, coord.tiers
    lam, n_eff = pips_probabilities(registry.weights[pos], n)
    note = a.note
    if n_eff < n:
        extra = f"only {n_eff} units of positive weight: sample size {n_eff}"
        note = f"{note}; {extra}" if note else extra
    if policy.method == Method.POISSON:
        sel = select_poisson(t, lam, ids_for)
    else:
        sel = select_order_sampling(t, lam, n_eff, ids_for, method=policy.method.value)
    return sel, t[sel], lam[sel], lam, None, float(n_eff), note, None


def run_policy(
    registry: TargetRegistry,
    *,
    seed: Seed,
    stream: str,
    policy: DrawPolicy,
    excluded: Collection[str] = (),
    history_digest: str | None = None,
    history_entries: int = 0,
    burden: BurdenHistory | None = None,
    version: int = DRAW_VERSION,
    where_mask: npt.NDArray[np.bool_] | None = None,
) -> Draw:
    """Draw under a built :class:`~.policy.DrawPolicy`, with the excluded ids known.

    This is what :func:`draw`, the plan and :func:`~randsupervise.draw.verify.verify`
    call. ``excluded`` are the ids the frequency limits leave out, with the frequency
    history's digest and entry count as the receipt records them; ``burden`` is the
    history's earlier periods (burden spreading, with ``policy.floor``). ``version`` is
    the draw version to compute (:data:`~.batches.DRAW_VERSIONS`): the latest for a new
    draw, the receipt's own for a verifier recomputing an older one. ``where_mask`` is
    ``registry.mask(**policy.where)`` when the caller has it already (a plan checks every
    task's filter before drawing); it is used as given, never changed.
    """
    version = check_version(version)
    _check_inputs(registry, seed, stream, policy, burden)
    excluded_t = tuple(sorted(set(excluded), key=lambda s: s.encode("utf-8")))
    strata_rows = _eligible_strata(registry, policy, excluded_t, where_mask)
    alloc = policy.allocate({label: int(p.size) for label, p, _ in strata_rows})
    # each unit's last inspected period, matched once for the whole register
    last = None if burden is None else burden.last_inspected(registry.ids, registry.fingerprints)
    strata: dict[str, StratumDraw] = {}
    problems: list[Problem] = []
    for label, pos, fp in sorted(strata_rows):
        a = alloc[label]
        floor = None if last is None else policy.floor_of(label)
        try:
            sel, tk, probs, lam, pi, expected, note, tiers = _select(
                registry, policy, a, pos, fp, (seed, stream), last, floor
            )
        except ValidationError as e:  # a floor above the stratum's fraction names it
            if last is None:
                raise
            problems += [attrs.evolve(p, id=label) for p in e.problems]
            continue
        strata[label] = StratumDraw(
            label=label, allocation=a, population=a.population, positions=readonly(pos[sel]),
            tickets=readonly(tk), probabilities=readonly(probs), inclusion_probability=pi,
            expected_size=expected, note=note, population_positions=pos,
            population_probabilities=lam, register_ids=registry.ids, floor=floor, tiers=tiers,
        )  # fmt: skip
    if problems:
        raise ValidationError(problems, what="burden-spread draw")
    return Draw(
        registry=registry, seed=seed, stream=stream, policy=policy, strata=strata,
        excluded=excluded_t, history_digest=history_digest, history_entries=history_entries,
        burden=burden, version=version,
    )  # fmt: skip


def draw(
    registry: TargetRegistry,
    policy: DrawPolicy | None = None,
    *,
    seed: Seed | str,
    stream: str,
    history: History | None = None,
    **options: Unpack[DrawOptions],
) -> Draw:
    """Draw inspection targets from ``registry``; see the module notes and ``docs/draw.md``.

    Args:
        registry: The register of targets (its content is digested into the receipt).
        policy: The :class:`~.policy.DrawPolicy`: strata, method, ratios or counts,
            rounding, item, targeted-draw filter, batches, floor. Or leave it out and give
            its fields as keyword ``options`` (``ratios=``, ``counts=``, ``method=``, ...:
            :class:`~.policy.DrawOptions`), which build the policy.
        seed: A :class:`Seed`, or public text turned into one by :meth:`Seed.from_text`.
        stream: The stream label of this task or batch (e.g. ``"2024/G01/batch-1"``); one
            seed serves many draws, each under its own label.
        history: What happened to the units before (:class:`~.history.History`): this
            year's ``(unit, item, count)`` entries (units whose count for a limited item
            reached its ``yearly_frequency_limit`` are not drawn) and the earlier periods'
            inspections (burden spreading, with the policy's ``floor``; see
            ``docs/burden.md``).
        **options: The policy's fields, when ``policy`` is not given.

    Raises:
        ValidationError: a bad policy (or a policy together with options, naming them),
            unknown strata, a general item's cap exceeded (naming the item), a bad
            history, a floor above a stratum's sampling fraction (naming the stratum).

    Examples:
        >>> reg = TargetRegistry.from_columns(id=["a", "b", "c", "d"], risk_class="AABB")
        >>> d = draw(reg, seed="public text", stream="s", ratios={"A": 0.5, "B": 1.0})
        >>> {k: s.sample_size for k, s in d.strata.items()}
        {'A': 1, 'B': 2, 'C': 0, 'D': 0}
        >>> draw(reg, DrawPolicy(ratios={"A": 0.5, "B": 1.0}), seed="public text",
        ...      stream="s").receipt == d.receipt
        True

        Burden spreading with floor 0 (a rotation): ``b``, inspected last period, waits.

        >>> e = draw(reg, seed="public text", stream="s", counts={"A": 1},
        ...          history=History.from_periods({"2024": ["b"]}), floor={"A": 0.0})
        >>> [(t.population, t.sample_size) for t in e.strata["A"].tiers]
        [(1, 1), (1, 0)]
        >>> e.receipt.burden["history"]["periods"], e.receipt.policy["floor"]
        (['2024'], {'A': 0.0})
    """
    policy = policy_of(policy, **options)
    hist = as_history(history)
    excluded, digest, n_entries = frequency_exclusions(registry, policy.limited_items, hist.entries)
    return run_policy(
        registry,
        seed=as_seed(seed),
        stream=stream,
        policy=policy,
        excluded=excluded,
        history_digest=digest,
        history_entries=n_entries,
        burden=hist.periods,
    )
