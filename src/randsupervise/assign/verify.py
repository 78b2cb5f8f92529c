"""Verifying assignment receipts: read the chain strictly, recompute it, report every path.

Invariants (architecture principle 4; ``docs/spec/receipts.md`` §5):

* :func:`read_chain` reads one receipt or a chain (original first), every version in
  :data:`~randsupervise.assign.assignment.RECEIPT_VERSIONS`, strictly: malformed input
  is a :class:`~randsupervise.errors.ValidationError` naming the JSON path.
* :func:`verify` takes the inputs as one
  :class:`~randsupervise.assign.assignment.AssignmentProblem` (the one list of what an
  assignment depends on), recomputes the original from it and each later receipt from the
  one before and its event, and compares whole receipts; it checks the seed against its
  public source, and against the announced one when given.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from randsupervise._core.envelope import seal_differences
from randsupervise._core.frozen import freeze
from randsupervise._core.gc_pause import gc_paused
from randsupervise._core.report import Difference, VerifyReport, diff_trees
from randsupervise._core.strict_json import (
    ListOf,
    MapOf,
    Nullable,
    Obj,
    OneOf,
    check_versioned_shape,
    join_path,
    parse,
)
from randsupervise.assign.announcement import check_assignment_announcement
from randsupervise.assign.assignment import (
    AssignmentProblem,
    _assign_problem,
    receipt_digest,
    replace,
)
from randsupervise.assign.changes import _cancel_recorded
from randsupervise.draw.announcement import Announcement, Reveal, as_announcement
from randsupervise.draw.verify import seed_differences
from randsupervise.errors import InfeasibleAssignment, Problem, UnknownIdError, ValidationError
from randsupervise.tickets.function import TICKET_RECORD_SHAPE
from randsupervise.tickets.seed import Seed

__all__ = ["SHAPES", "read_chain", "verify"]

_NOT_ORIGINAL = "receipt 0 is not an original draw: pass the whole chain, original first"


_COMMON = {
    "algorithm": str,
    "algorithm_version": int,
    "ticket": TICKET_RECORD_SHAPE,
    "seed": str,
    "stream": str,
    "event": MapOf(OneOf(str, bool, ListOf(str), int)),
    "previous": Nullable(str),
    "inputs": MapOf(str),
    "exact_fallback": bool,
    "solver": Nullable(str),
    "teams": ListOf(MapOf(OneOf(str, ListOf(str), int, bool, None, MapOf(ListOf(str))))),
}
#: The shape of an assignment receipt, per version.
SHAPES = {
    1: Obj(required={"format": str, "version": int, **_COMMON}),
    2: Obj(
        required={
            "format": str,
            "kind": str,
            "version": int,
            **_COMMON,
            "seed_source": str,
            "receipt_digest": str,
        }
    ),
}


def read_chain(
    receipts: Mapping[str, Any] | Sequence[Mapping[str, Any]] | str | bytes,
) -> tuple[Mapping[str, Any], ...]:
    """The receipt chain (original first) from a receipt, a list of them, or JSON text,
    parsed strictly and frozen.

    Raises:
        ValidationError: malformed JSON, an unknown version, or a receipt whose shape is
            wrong (every bad JSON path named).
    """
    if isinstance(receipts, str | bytes):
        receipts = parse(receipts, what="assignment receipt")
    chain = [receipts] if isinstance(receipts, Mapping) else receipts
    if not isinstance(chain, Sequence) or not chain:
        raise ValidationError(
            [Problem(field="receipts", message="expected a receipt or a non-empty chain")],
            what="assignment receipt",
        )
    problems: list[Problem] = []
    for n, r in enumerate(chain):
        prefix = "" if len(chain) == 1 else join_path("", n)
        if not isinstance(r, Mapping):
            problems.append(Problem(field=prefix or "$", message="must be an object"))
            continue
        try:
            check_versioned_shape(r, SHAPES, what="assignment receipt")
        except ValidationError as e:
            problems += [attrs.evolve(p, field=_within(prefix, p.field or "") or None)
                         for p in e.problems]  # fmt: skip
    if problems:
        raise ValidationError(problems, what="assignment receipt")
    return tuple(freeze(r) for r in chain)


def _within(base: str, path: str) -> str:
    """A JSON path within one receipt as a path within its chain (``base``: ``""`` for a
    receipt alone, ``"[n]"`` for receipt ``n`` of a chain)."""
    return f"{base}.{path}" if base and path and not path.startswith("[") else base + path


@gc_paused
def verify(
    problem: AssignmentProblem,
    receipts: Mapping[str, Any] | Sequence[Mapping[str, Any]] | str | bytes,
    *,
    expected_seed: Seed | str | None = None,
    announcement: Announcement | Mapping[str, Any] | str | bytes | None = None,
    reveals: Iterable[Reveal | Mapping[str, Any]] | None = None,
) -> VerifyReport:
    """Recompute an assignment (and its replacements and cancellations) from its problem.

    Args:
        problem: The inputs of the original draw, as given to
            :func:`~randsupervise.assign.assign` (the visits, the pool as it was at the
            draw, and every rule: conflicts, rotation, load limits, region rule, dates,
            apart pairs).
        receipts: The receipt of a draw, or the whole chain (original first) when
            replacements or cancellations followed; objects or JSON text.
        expected_seed: The seed's public source as announced before the draw (its text,
            or a :class:`Seed`); the receipts' seed must be that one.
        announcement: The assignment's announcement
            (:func:`~randsupervise.assign.announcement.announce_assignment`, or its JSON),
            published before the seed existed: the original receipt must have its
            stream and inputs, and a seed made by its rule.
        reveals: With a seed from sealed contributions: the published reveals.

    Returns:
        A :class:`~randsupervise._core.report.VerifyReport`; each difference names the
        JSON path (``[1].teams[0].officers`` in a chain), the receipt's value and the
        recomputed one.

    Raises:
        ValidationError: the receipts are malformed (each bad JSON path named).

    Examples:
        >>> from randsupervise.assign import VisitRequest, assign
        >>> from randsupervise.model.sample import sample_inspectors
        >>> pool = sample_inspectors()
        >>> vs = [VisitRequest(id="V1", target="T1", region="东城镇",
        ...                    departments=["文化市场综合行政执法大队"])]
        >>> a = replace(assign(vs, pool, seed=Seed.from_text("demo"), stream="doc"), ["Z-01"])
        >>> problem = AssignmentProblem(visits=vs, pool=pool)
        >>> verify(problem, a.receipts, expected_seed="demo").ok
        True
        >>> print(verify(attrs.evolve(problem, load_limits=0), a.receipts).differences[0])
        [0].inputs.load_limits: the input given is not the one the receipt records
        >>> verify(problem, a.receipts, expected_seed="other").differences[0].path
        '[0].seed'
    """
    chain = _Chain(read_chain(receipts))
    first = chain.receipts[0]
    if first.get("previous") is not None or first["event"].get("kind") != "assign":
        return _report([Difference(path=chain.at(0, "event"), message=_NOT_ORIGINAL)])
    diffs, notes = chain.record_differences(expected_seed)
    if any(d.recomputed is None and d.path.endswith("seed") for d in diffs):
        return _report(diffs, notes)
    if announcement is not None:
        a_diffs, a_notes = check_assignment_announcement(
            first, as_announcement(announcement), reveals=reveals
        )
        diffs += [
            d if d.path.startswith("announcement.") else chain.moved([d], 0)[0] for d in a_diffs
        ]
        notes += a_notes
    diffs += chain.input_differences(problem)
    if any(".inputs." in d.path or d.path.startswith("inputs.") for d in diffs):
        return _report(diffs, notes)
    return _report(diffs + chain.recomputed_differences(problem, diffs), notes)


def _report(diffs: Sequence[Difference], notes: Sequence[str] = ()) -> VerifyReport:
    return VerifyReport(kind="assignment", differences=tuple(diffs), notes=tuple(notes))


@attrs.frozen
class _Chain:
    """A parsed receipt chain (original first), and the JSON paths within it: a receipt
    alone is the root, receipt ``n`` of a chain is ``[n]``."""

    receipts: tuple[Mapping[str, Any], ...]

    def at(self, n: int, path: str = "") -> str:
        """The path of ``path`` within receipt ``n``."""
        base = "" if len(self.receipts) == 1 else join_path("", n)
        return _within(base, path) or "$"

    def moved(self, ds: Iterable[Difference], n: int) -> list[Difference]:
        """Differences found within receipt ``n``, their paths made chain paths."""
        return [attrs.evolve(d, path=self.at(n, d.path)) for d in ds]

    def record_differences(
        self, expected_seed: Seed | str | None
    ) -> tuple[list[Difference], list[str]]:
        """What the receipts show by themselves: one version, sealed digests (version 2
        on), and a seed that is the hash of its stated (and the announced) source."""
        first = self.receipts[0]
        version = first["version"]
        diffs: list[Difference] = []
        for n, r in enumerate(self.receipts):
            if r["version"] != version:
                diffs.append(
                    Difference(path=self.at(n, "version"), message="mixed versions in a chain")
                )
            if version >= 2:
                diffs += self.moved(seal_differences(r), n)
        sd, notes = seed_differences(
            first["seed"], str(first.get("seed_source", "")), expected_seed
        )
        return diffs + self.moved(sd, 0), notes

    def input_differences(self, problem: AssignmentProblem) -> list[Difference]:
        """Each input of ``problem`` whose digest is not the one the original records."""
        recorded = self.receipts[0]["inputs"]
        given = problem.digests()
        return [
            Difference(
                path=self.at(0, f"inputs.{k}"),
                message="the input given is not the one the receipt records",
                receipt=recorded.get(k),
                recomputed=given.get(k),
            )
            for k in sorted(set(given) | set(recorded))
            if recorded.get(k) != given.get(k)
        ]

    def recomputed_differences(
        self, problem: AssignmentProblem, already: Sequence[Difference]
    ) -> list[Difference]:
        """Recompute the original from ``problem`` and each later receipt from the one
        before and its event; every path of a receipt that differs from its recomputation
        (those ``already`` reported with their cause left out)."""
        first = self.receipts[0]
        seed = Seed(
            value=Seed.from_hex(first["seed"]).value, source=str(first.get("seed_source", ""))
        )
        out: list[Difference] = []
        try:
            version, algorithm_version = int(first["version"]), int(first["algorithm_version"])
            current = _assign_problem(
                problem, seed, str(first["stream"]), version, algorithm_version
            )
            out += self._receipt_differences(0, current.receipt, [*already, *out])
            for n, r in enumerate(self.receipts[1:], start=1):
                ev = r["event"]
                if ev.get("kind") == "replace":
                    current = replace(current, ev.get("unavailable", []))
                elif ev.get("kind") == "cancel":
                    current = _cancel_recorded(
                        current, ev.get("visits", []), str(ev.get("reason", ""))
                    )
                else:
                    path = self.at(n, "event.kind")
                    out.append(
                        Difference(path=path, message="unknown event", receipt=ev.get("kind"))
                    )
                    break
                out += self._receipt_differences(n, current.receipt, [*already, *out])
                out += self._link_differences(n)
        except (InfeasibleAssignment, ValidationError, UnknownIdError) as exc:
            out.append(Difference(path=self.at(0), message=f"recomputation failed: {exc}"))
        return out

    def _link_differences(self, n: int) -> list[Difference]:
        """Receipt ``n`` must name the digest of the one before it."""
        got, want = self.receipts[n].get("previous"), receipt_digest(self.receipts[n - 1])
        if got == want:
            return []
        message = f"not the digest of receipt {n - 1}"
        return [
            Difference(path=self.at(n, "previous"), message=message, receipt=got, recomputed=want)
        ]

    def _receipt_differences(
        self, n: int, want: Mapping[str, Any], already: Sequence[Difference]
    ) -> list[Difference]:
        reported = {d.path for d in already}
        moved = self.moved(diff_trees(self.receipts[n], want), n)
        return [d for d in moved if d.path not in reported]  # already reported with its cause
