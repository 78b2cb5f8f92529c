"""Randomised inspector assignment (随机选派执法检查人员): :func:`assign`, and the names of the
assignment API, each defined in the module of its concept (problem, team, versions,
lawful, receipt, changes).

Invariants, each with the rule it comes from (proofs in ``docs/assign.md``):

* **Lawful teams.** Every team has exactly ``team_size`` officers who count toward the
  quota (certified, not experts; 《行政处罚法》 art. 42, 国办 2025 opinion), drawn from the
  visit's departments, and every required qualification held by an officer; experts are
  only ever added on top (国发〔2019〕5号). A joint visit is staffed per department: each
  department's part is itself lawful (its own officers, at least two, its own
  qualifications; "与配合部门分别抽取各自的执法检查人员"), or, in the one-team form kept for
  algorithm version 1, has one officer of each department. A visit that asks for a leader
  (主办) gets one of its lead department's officers qualified to lead. Nobody is assigned
  who is unavailable (also on the visit's date, or with a certificate expired by then),
  outside the region rule, in conflict with the target (回避), paired with it in the
  rotation history, or on a team with someone they must be kept apart from, and no one
  serves more visits than their load limit. Each of these is re-checked on the output
  before it is returned.
* **Complete.** :class:`~randsupervise.errors.InfeasibleAssignment` is raised only after
  an exact check (per-visit set cover, maximum-flow Hall check, integer program) proved
  that no lawful assignment exists; its ``witness`` is a
  :class:`~randsupervise.assign.witness.Witness`.
* **Pure.** The teams are a pure function of (seed, stream, inputs), through the ticket
  function only (architecture principle 3); input order does not matter.
* **Receipts.** Every result carries a deeply immutable receipt (``docs/spec/receipts.md``:
  format, kind ``"assignment"``, version, the seed with its public source, the input
  digests, the teams, and its own ``receipt_digest``); a replacement or cancellation
  appends a receipt holding the digest of the previous one; :func:`verify` recomputes
  the whole chain. Receipts of version 1 (no seed source, no own digest) keep verifying.
* **Replacement** (补抽, no national rule: log it, touch nothing else): only the teams that
  contained an inspector who became unavailable change; all other teams stay identical.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from randsupervise._core.gc_pause import gc_paused
from randsupervise._core.validation import check_label
from randsupervise.assign.changes import CancelReason as CancelReason
from randsupervise.assign.changes import cancel as cancel
from randsupervise.assign.changes import replace as replace
from randsupervise.assign.lawful import _checked
from randsupervise.assign.phases import Draw, Keep
from randsupervise.assign.problem import AssignmentProblem as AssignmentProblem
from randsupervise.assign.problem import Pair as Pair
from randsupervise.assign.problem import ProblemOptions as ProblemOptions
from randsupervise.assign.receipt import _receipt
from randsupervise.assign.receipt import receipt_digest as receipt_digest
from randsupervise.assign.requests import VisitRequest
from randsupervise.assign.solve import _solve
from randsupervise.assign.team import Assignment as Assignment
from randsupervise.assign.team import Team as Team
from randsupervise.assign.versions import ALGORITHM as ALGORITHM
from randsupervise.assign.versions import ALGORITHM_VERSION as ALGORITHM_VERSION
from randsupervise.assign.versions import ALGORITHM_VERSIONS as ALGORITHM_VERSIONS
from randsupervise.assign.versions import RECEIPT_VERSIONS as RECEIPT_VERSIONS
from randsupervise.assign.versions import check_versions
from randsupervise.errors import Problem, ValidationError
from randsupervise.model.inspectors import InspectorPool
from randsupervise.tickets.seed import Seed, as_seed

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["assign"]


@gc_paused
def assign(
    problem: AssignmentProblem | Iterable[VisitRequest],
    pool: InspectorPool | None = None,
    /,
    *,
    seed: Seed | str,
    stream: str,
    receipt_version: int = RECEIPT_VERSIONS[-1],
    algorithm_version: int = ALGORITHM_VERSION,
    **options: Unpack[ProblemOptions],
) -> Assignment:
    """Draw a lawful team for every visit of an :class:`AssignmentProblem`.

    ``assign(visits, pool, seed=..., stream=..., **options)`` is the same as
    ``assign(AssignmentProblem(visits=visits, pool=pool, **options), seed=..., stream=...)``;
    ``options`` are the other inputs of the problem (:class:`ProblemOptions`: conflicts,
    rotation, load limits, region rule, certificate dates, days off, apart pairs).

    Args:
        problem: The problem (visits, pool and every other input); or the visits, with
            the pool second.
        seed: The public seed, or public text turned into one by :meth:`Seed.from_text`
            (as :func:`randsupervise.draw.draw` accepts).
        stream: A label for this draw (e.g. ``"2024/batch-1/teams"``); sub-streams
            ``stream + "/order"``, ``"/officers"`` and ``"/experts"`` are derived from it.
        receipt_version: The receipt version to write (:data:`RECEIPT_VERSIONS`); an
            earlier one only to recompute receipts written by earlier releases.
        algorithm_version: The assignment algorithm (:data:`ALGORITHM_VERSIONS`); version
            1 only to recompute receipts written by earlier releases (it refuses joint
            visits staffed per department).

    Returns:
        The :class:`Assignment`, with its receipt.

    Raises:
        InfeasibleAssignment: no lawful assignment exists; ``witness`` says why.
        ValidationError: bad input.

    Examples:
        >>> from randsupervise.model.sample import sample_inspectors
        >>> pool = sample_inspectors()
        >>> v = VisitRequest(id="V1", target="T1", region="东城镇",
        ...                  departments=["文化市场综合行政执法大队"], qualifications={"网络文化"})
        >>> a = assign([v], pool, seed=Seed.from_text("demo"), stream="doc")
        >>> team = a.team("V1")
        >>> len(team.officers), any("网络文化" in pool[m].tags for m in team.officers)
        (2, True)
        >>> b = assign(AssignmentProblem(visits=[v], pool=pool), seed=Seed.from_text("demo"),
        ...            stream="doc")
        >>> b.teams == a.teams and b.receipt == a.receipt
        True
    """
    if isinstance(problem, AssignmentProblem):
        if pool is not None or options:
            raise ValidationError(
                [Problem(field="pool", message="an AssignmentProblem already holds the pool "
                         "and every other input: pass them to AssignmentProblem instead")],
                what="assign",
            )  # fmt: skip
    else:
        # a missing pool is reported by the problem's own validation
        problem = AssignmentProblem(visits=problem, pool=cast(InspectorPool, pool), **options)
    check_label(stream, "stream", what="assign")
    return _assign_problem(problem, as_seed(seed), stream, receipt_version, algorithm_version)


def _assign_problem(
    problem: AssignmentProblem,
    seed: Seed,
    stream: str,
    version: int = RECEIPT_VERSIONS[-1],
    algorithm_version: int = ALGORITHM_VERSION,
) -> Assignment:
    check_versions(problem, version, algorithm_version)
    memo: dict[str, Any] = {}
    teams, records, fallback = _solve(Draw(problem, seed, stream, memo), problem.visits, Keep())
    _checked(problem, teams, memo)
    receipt = _receipt(
        problem, seed, stream, teams, {"kind": "assign"}, None, fallback, records,
        version=version, algorithm_version=algorithm_version,
    )  # fmt: skip
    return Assignment(
        teams=tuple(teams),
        problem=problem,
        seed=seed,
        stream=stream,
        receipts=(receipt,),
        version=version,
        algorithm_version=algorithm_version,
    )
