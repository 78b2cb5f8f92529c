"""Verifying plan receipts: read strictly, recompute the whole year, report every path.

Invariants (architecture principle 4; ``docs/spec/receipts.md`` §6):

* :func:`read_plan_receipt` reads every version in
  :data:`~randsupervise.cycle.run.PLAN_VERSIONS` strictly (each bad JSON path named).
* :func:`verify_plan` recomputes the year under the receipt's version from the inputs and
  the receipt's seed and compares the whole receipt, the nested draw and assignment
  receipts included; with an announcement, it also checks the year against it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from randsupervise._core.envelope import RECEIPT_FORMAT, seal_differences
from randsupervise._core.frozen import freeze
from randsupervise._core.gc_pause import gc_paused
from randsupervise._core.report import Difference, VerifyReport, diff_trees
from randsupervise._core.strict_json import ListOf, MapOf, Obj, check_versioned_shape, parse
from randsupervise.assign import ALGORITHM_VERSION
from randsupervise.calendar import WorkCalendar
from randsupervise.cycle.announcement import check_plan_announcement
from randsupervise.cycle.plan import AnnualPlan
from randsupervise.cycle.run import TeamRules, _Inputs, _run
from randsupervise.draw.announcement import Announcement, Reveal, as_announcement
from randsupervise.draw.verify import seed_differences
from randsupervise.errors import InfeasibleAssignment, Problem, ValidationError
from randsupervise.model import TargetRegistry
from randsupervise.model.inspectors import InspectorPool
from randsupervise.model.items import ItemList
from randsupervise.tickets.seed import Seed

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["SHAPES", "read_plan_receipt", "verify_plan"]


_SHAPE_COMMON = {
    "format": str,
    "version": int,
    "year": int,
    "plan_digest": str,
    "plan": MapOf(object),
    "seed": str,
    "seed_source": str,
    "registry_digest": str,
    "items_digest": str,
    "pool_digest": str,
    "calendar": str,
    "draws": ListOf(
        Obj(
            required={
                "task": str,
                "batches": ListOf(str),
                "stream": str,
                "shortfall": MapOf(int),
                "receipt_digest": str,
                "receipt": MapOf(object),
            }
        )
    ),
    "visits_digest": str,
    "visit_order_stream": str,
    "assignment": Obj(
        required={
            "stream": str,
            "receipt_digest": str,
            "receipt": MapOf(object),
            "teams_digest": str,
        }
    ),
}
#: The shape of a plan receipt, per version (nested draw and assignment receipts are
#: checked against their own shapes when verified).
SHAPES = {
    1: Obj(required={**_SHAPE_COMMON, "digest": str}),
    2: Obj(required={**_SHAPE_COMMON, "kind": str, "receipt_digest": str}),
}


def read_plan_receipt(receipt: Mapping[str, Any] | str | bytes) -> Mapping[str, Any]:
    """A plan receipt from its dict form or JSON text, parsed strictly and frozen.

    Raises:
        ValidationError: malformed, an unknown version, or a wrong shape (each bad JSON
            path named).
    """
    data = (
        parse(receipt, what="plan receipt", max_depth=24)
        if isinstance(receipt, str | bytes)
        else receipt
    )
    if not isinstance(data, Mapping):
        raise ValidationError([Problem(message="a plan receipt is a JSON object")],
                              what="plan receipt")  # fmt: skip
    check_versioned_shape(data, SHAPES, what="plan receipt")
    return freeze(data)  # type: ignore[no-any-return]


@gc_paused
def verify_plan(
    receipt: Mapping[str, Any] | str | bytes,
    plan: AnnualPlan,
    registry: TargetRegistry,
    items: ItemList,
    pool: InspectorPool,
    *,
    expected_seed: Seed | str | None = None,
    announcement: Announcement | Mapping[str, Any] | str | bytes | None = None,
    reveals: Iterable[Reveal | Mapping[str, Any]] | None = None,
    calendar: WorkCalendar,
    **rules: Unpack[TeamRules],
) -> VerifyReport:
    """Recompute the year from the inputs and the receipt's seed; compare everything.

    Every difference names its JSON path in the plan receipt (``draws[3].receipt.strata.B
    .selected``, ``assignment.receipt.teams[7].officers``, ``registry_digest`` ...), with
    the receipt's value and the recomputed one.

    Args:
        expected_seed: The seed's public source as announced before the draw; the
            receipt's seed must be that one.
        announcement: The year's announcement
            (:func:`~randsupervise.cycle.announcement.announce_plan`), published before
            the seed existed: the receipt must make exactly the announced draws from the
            announced inputs, with a seed made by its rule.
        reveals: With a seed from sealed contributions: the published reveals.
        **rules: The team rules given to :func:`~randsupervise.cycle.run.run_plan`
            (:class:`~randsupervise.cycle.run.TeamRules`).

    Raises:
        ValidationError: the receipt or the announcement is malformed (each bad JSON path
            named).

    Examples:
        >>> from randsupervise.cycle.sample import sample_year
        >>> y = sample_year()
        >>> plan, registry, items, pool, cal = y.plan, y.registry, y.items, y.pool, y.calendar
        >>> verify_plan(y.run.receipt, plan, registry, items, pool, calendar=cal).ok
        True
        >>> bad = dict(y.run.receipt, seed=Seed.from_text("other").hex)
        >>> verify_plan(bad, plan, registry, items, pool, calendar=cal).differences[0].path
        'receipt_digest'
    """
    data = read_plan_receipt(receipt)
    version = int(data["version"])
    key = "digest" if version == 1 else "receipt_digest"
    diffs = seal_differences(data, "v1" if version == 1 else "jcs", key=key)
    if version >= 2 and (data["format"], data["kind"]) != (RECEIPT_FORMAT, "plan"):
        diffs.append(Difference(path="kind", message="not a plan receipt",
                                receipt=[data["format"], data["kind"]]))  # fmt: skip
    sd, notes = seed_differences(data["seed"], data["seed_source"], expected_seed)
    diffs += sd
    if any(d.path == "seed" and d.recomputed is None for d in diffs):
        return VerifyReport(kind="plan", differences=tuple(diffs), notes=tuple(notes))
    if announcement is not None:
        a_diffs, a_notes = check_plan_announcement(
            data, as_announcement(announcement), reveals=reveals
        )
        diffs += a_diffs
        notes += a_notes
    try:
        seed = Seed(value=Seed.from_hex(data["seed"]).value, source=data["seed_source"])
        year = _Inputs(plan=plan, registry=registry, items=items, pool=pool, seed=seed,
                       calendar=calendar, rules=rules)  # fmt: skip
        run = _run(year, version=version, algorithm_version=_algorithm_version(data))
    except (ValidationError, InfeasibleAssignment) as err:
        diffs.append(Difference(path="$", message=f"cannot recompute the year: {err}"))
        return VerifyReport(kind="plan", differences=tuple(diffs), notes=tuple(notes))
    reported = {d.path for d in diffs}
    diffs += [d for d in diff_trees(data, run.receipt) if d.path not in reported]
    return VerifyReport(kind="plan", differences=tuple(diffs), notes=tuple(notes))


def _algorithm_version(data: Mapping[str, Any]) -> int:
    """The assignment algorithm the plan receipt's teams were drawn with (joint visits
    staffed per department from version 2 on)."""
    nested = data.get("assignment", {}).get("receipt", {})
    version = nested.get("algorithm_version", ALGORITHM_VERSION)
    return version if isinstance(version, int) and not isinstance(version, bool) else 0
