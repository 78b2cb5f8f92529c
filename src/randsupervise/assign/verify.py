"""Verifying assignment receipts: read the chain strictly, recompute it, report every path.

Invariants (architecture principle 4; ``docs/spec/receipts.md`` §5):

* :func:`read_chain` reads one receipt or a chain (original first), every version in
  :data:`~randsupervise.assign.assignment.RECEIPT_VERSIONS`, strictly: malformed input
  is a :class:`~randsupervise.errors.ValidationError` naming the JSON path.
* :func:`verify` recomputes the original from the inputs and each later receipt from the
  one before and its event, and compares whole receipts; it checks the seed against its
  public source, and against the announced one when given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from randsupervise._core.envelope import seal_differences
from randsupervise._core.frozen import freeze
from randsupervise._core.report import Difference, VerifyReport, diff_trees
from randsupervise._core.strict_json import (
    ListOf,
    MapOf,
    Nullable,
    Obj,
    OneOf,
    check_shape,
    join_path,
    parse,
)
from randsupervise.assign.announcement import check_assignment_announcement
from randsupervise.assign.assignment import (
    AssignmentProblem,
    Pair,
    _assign_problem,
    receipt_digest,
    replace,
)
from randsupervise.assign.changes import _cancel_recorded
from randsupervise.assign.requests import RegionRule, VisitRequest
from randsupervise.draw.announcement import Announcement, Reveal, as_announcement
from randsupervise.draw.verify import seed_differences
from randsupervise.errors import InfeasibleAssignment, Problem, UnknownIdError, ValidationError
from randsupervise.model.inspectors import InspectorPool
from randsupervise.tickets.seed import Seed

__all__ = ["SHAPES", "read_chain", "verify"]


_TEAM = Obj(
    required={"visit": str, "officers": ListOf(str), "experts": ListOf(str)},
    optional={"members": ListOf(str), "target": str, "region": str},
)
_COMMON = {
    "algorithm": str,
    "algorithm_version": int,
    "ticket": Obj(required={"algorithm": str, "version": int}),
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
del _TEAM


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
        version = r.get("version")
        if isinstance(version, bool) or not isinstance(version, int) or version not in SHAPES:
            problems.append(
                Problem(
                    field=join_path(prefix, "version"),
                    message=f"unknown assignment receipt version {version!r}; this release "
                    f"reads {list(SHAPES)}",
                )
            )
            continue
        try:
            check_shape(r, SHAPES[version], what="assignment receipt")
        except ValidationError as e:
            problems += [
                attrs.evolve(p, field=(prefix + ("." if prefix and p.field and
                             not p.field.startswith("[") else "") + (p.field or "")) or None)
                for p in e.problems
            ]  # fmt: skip
    if problems:
        raise ValidationError(problems, what="assignment receipt")
    return tuple(freeze(r) for r in chain)


def verify(
    receipts: Mapping[str, Any] | Sequence[Mapping[str, Any]] | str | bytes,
    visits: Iterable[VisitRequest],
    pool: InspectorPool,
    *,
    conflicts: Iterable[Pair] = (),
    rotation: Iterable[Pair] = (),
    load_limits: int | Mapping[str, int] | None = None,
    region_rule: RegionRule | None = None,
    certificates_valid_until: Mapping[str, dt.date] | None = None,
    unavailable_days: Iterable[tuple[str, dt.date]] = (),
    apart: Iterable[Pair] = (),
    expected_seed: Seed | str | None = None,
    announcement: Announcement | Mapping[str, Any] | str | bytes | None = None,
    reveals: Iterable[Reveal | Mapping[str, Any]] | None = None,
) -> VerifyReport:
    """Recompute an assignment (and its replacements and cancellations) from the inputs.

    Args:
        receipts: The receipt of a draw, or the whole chain (original first) when
            replacements or cancellations followed; objects or JSON text.
        visits: The visits of the original draw.
        pool: The pool as it was at the original draw.
        conflicts: As given to :func:`assign`.
        rotation: As given to :func:`assign`.
        load_limits: As given to :func:`assign`.
        region_rule: As given to :func:`assign`.
        certificates_valid_until: As given to :func:`assign`.
        unavailable_days: As given to :func:`assign`.
        apart: As given to :func:`assign`.
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
        >>> from randsupervise.assign import assign
        >>> from randsupervise.model.sample import sample_inspectors
        >>> pool = sample_inspectors()
        >>> vs = [VisitRequest(id="V1", target="T1", region="东城镇",
        ...                    departments=["文化市场综合行政执法大队"])]
        >>> a = replace(assign(vs, pool, seed=Seed.from_text("demo"), stream="doc"), ["Z-01"])
        >>> verify(a.receipts, vs, pool, expected_seed="demo").ok
        True
        >>> print(verify(a.receipts, vs, pool, load_limits=0).differences[0])
        [0].inputs.load_limits: the input given is not the one the receipt records
        >>> verify(a.receipts, vs, pool, expected_seed="other").differences[0].path
        '[0].seed'
    """
    chain = read_chain(receipts)
    first = chain[0]

    def at(n: int, path: str = "") -> str:
        base = "" if len(chain) == 1 else join_path("", n)
        if not path:
            return base or "$"
        return f"{base}.{path}" if base and not path.startswith("[") else base + path

    def moved(ds: Iterable[Difference], n: int) -> list[Difference]:
        return [attrs.evolve(d, path=at(n, d.path)) for d in ds]

    diffs: list[Difference] = []
    notes: list[str] = []
    if first.get("previous") is not None or first["event"].get("kind") != "assign":
        return VerifyReport(
            kind="assignment",
            differences=(
                Difference(
                    path=at(0, "event"),
                    message="receipt 0 is not an original draw: pass the whole chain, "
                    "original first",
                ),
            ),
        )
    version = int(first["version"])
    for n, r in enumerate(chain):
        if r["version"] != version:
            diffs.append(Difference(path=at(n, "version"), message="mixed versions in a chain"))
        if version >= 2:
            diffs += moved(seal_differences(r), n)
    sd, notes = seed_differences(first["seed"], str(first.get("seed_source", "")), expected_seed)
    diffs += moved(sd, 0)
    if any(d.recomputed is None and d.path.endswith("seed") for d in diffs):
        return VerifyReport(kind="assignment", differences=tuple(diffs), notes=tuple(notes))
    if announcement is not None:
        a_diffs, a_notes = check_assignment_announcement(
            first, as_announcement(announcement), reveals=reveals
        )
        diffs += [d if d.path.startswith("announcement.") else moved([d], 0)[0] for d in a_diffs]
        notes += a_notes
    seed = Seed(value=Seed.from_hex(first["seed"]).value, source=str(first.get("seed_source", "")))
    problem = AssignmentProblem(
        visits=visits,
        pool=pool,
        conflicts=conflicts,
        rotation=rotation,
        load_limits=load_limits,
        region_rule=region_rule,
        certificates_valid_until=certificates_valid_until,
        unavailable_days=unavailable_days,
        apart=apart,
    )
    given = problem.digests()
    for k in sorted(set(given) | set(first["inputs"])):
        if first["inputs"].get(k) != given.get(k):
            diffs.append(
                Difference(
                    path=at(0, f"inputs.{k}"),
                    message="the input given is not the one the receipt records",
                    receipt=first["inputs"].get(k),
                    recomputed=given.get(k),
                )
            )
    if any(".inputs." in d.path or d.path.startswith("inputs.") for d in diffs):
        return VerifyReport(kind="assignment", differences=tuple(diffs), notes=tuple(notes))
    try:
        current = _assign_problem(
            problem, seed, str(first["stream"]), version, int(first["algorithm_version"])
        )
        diffs += _receipt_differences(first, current.receipt, 0, at, diffs)
        for n, r in enumerate(chain[1:], start=1):
            ev = r["event"]
            if ev.get("kind") == "replace":
                current = replace(current, ev.get("unavailable", []))
            elif ev.get("kind") == "cancel":
                current = _cancel_recorded(current, ev.get("visits", []), str(ev.get("reason", "")))
            else:
                diffs.append(Difference(path=at(n, "event.kind"), message="unknown event",
                                        receipt=ev.get("kind")))  # fmt: skip
                break
            diffs += _receipt_differences(r, current.receipt, n, at, diffs)
            if r.get("previous") != receipt_digest(chain[n - 1]):
                diffs.append(
                    Difference(
                        path=at(n, "previous"),
                        message=f"not the digest of receipt {n - 1}",
                        receipt=r.get("previous"),
                        recomputed=receipt_digest(chain[n - 1]),
                    )
                )
    except (InfeasibleAssignment, ValidationError, UnknownIdError) as exc:
        diffs.append(Difference(path=at(0), message=f"recomputation failed: {exc}"))
    return VerifyReport(kind="assignment", differences=tuple(diffs), notes=tuple(notes))


def _receipt_differences(
    got: Mapping[str, Any],
    want: Mapping[str, Any],
    n: int,
    at: Any,
    already: list[Difference],
) -> list[Difference]:
    reported = {d.path for d in already}
    out = []
    for d in diff_trees(got, want):
        p = at(n, d.path)
        if p in reported:
            continue  # already reported with its cause
        out.append(attrs.evolve(d, path=p))
    return out
