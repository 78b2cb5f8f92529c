"""Randomised inspector assignment (随机选派执法检查人员), replacement (补抽) and receipts.

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

import bisect
import datetime as dt
import hashlib
import itertools
from collections.abc import Iterable, Mapping, Sequence
from itertools import chain
from json.encoder import encode_basestring
from typing import Any, cast

import attrs
import numpy as np
import scipy

from randsupervise._core.canonical import digest, sha256_hex
from randsupervise._core.envelope import RECEIPT_FORMAT, seal
from randsupervise._core.frozen import freeze
from randsupervise._core.validation import check_label
from randsupervise.assign._solver import (
    _UNLIMITED,
    Phase,
    _Infeasible,
    build_ticket_keys,
    build_tickets,
    solve_phase,
)
from randsupervise.assign.requests import (
    UNIT_SEPARATOR,
    RegionRule,
    VisitRequest,
    visits_digest,
)
from randsupervise.assign.witness import Witness
from randsupervise.errors import InfeasibleAssignment, Problem, UnknownIdError, ValidationError
from randsupervise.model.inspectors import Inspector, InspectorPool
from randsupervise.tickets.fingerprint import fingerprints
from randsupervise.tickets.function import TICKET_ALGORITHM, TICKET_VERSION, tickets
from randsupervise.tickets.seed import Seed, as_seed

__all__ = [
    "ALGORITHM",
    "ALGORITHM_VERSION",
    "ALGORITHM_VERSIONS",
    "Assignment",
    "AssignmentProblem",
    "RECEIPT_VERSIONS",
    "Team",
    "assign",
    "cancel",
    "receipt_digest",
    "replace",
]

ALGORITHM = "randsupervise-assign"
#: The assignment algorithm this release writes. Version 2 staffs a joint visit per
#: department (:class:`~randsupervise.assign.requests.JointRule`); version 1 knew only one
#: team with one officer of each department, and recomputing its receipts refuses joint
#: visits staffed per department.
ALGORITHM_VERSION = 2
ALGORITHM_VERSIONS = (1, 2)
#: Receipt versions this release writes (the last) and verifies: version 1 records the
#: seed's hex only and has no digest of its own; version 2 is the common receipt design.
RECEIPT_VERSIONS = (1, 2)

Pair = tuple[str, str]


def _pairs(value: Iterable[Pair]) -> frozenset[Pair]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ValidationError(
            [Problem(field="pairs", message="expected (inspector id, target id) pairs, not "
                     f"{type(value).__name__}")],
            what="assignment problem",
        )  # fmt: skip
    out = set()
    problems = []
    for row, pair in enumerate(value):
        if (isinstance(pair, str | bytes) or not isinstance(pair, Iterable)
                or len(items := tuple(pair)) != 2
                or not all(isinstance(x, str) and x for x in items)):  # fmt: skip
            problems.append(Problem(row=row, field="pairs", message="expected a pair "
                                    f"(inspector id, target id), got {pair!r}"))  # fmt: skip
            continue
        out.add((items[0], items[1]))
    if problems:
        raise ValidationError(problems, what="conflict or rotation pairs")
    return frozenset(out)


def _valid_until(value: Mapping[str, dt.date] | None) -> Mapping[str, dt.date]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValidationError(
            [Problem(field="certificates_valid_until", message="a mapping from inspector id to "
                     f"the last day its certificate is valid, not {type(value).__name__}")],
            what="assignment problem",
        )  # fmt: skip
    bad = [Problem(id=str(k), field="certificates_valid_until", message=f"a date, got {v!r}")
           for k, v in value.items() if not _is_date(v)]  # fmt: skip
    if bad:
        raise ValidationError(bad, what="assignment problem")
    return {str(k): v for k, v in value.items()}


def _is_date(value: object) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def _days(value: Iterable[tuple[str, dt.date]]) -> frozenset[tuple[str, dt.date]]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ValidationError(
            [Problem(field="unavailable_days", message="(inspector id, date) pairs, not "
                     f"{type(value).__name__}")],
            what="assignment problem",
        )  # fmt: skip
    out: set[tuple[str, dt.date]] = set()
    bad: list[Problem] = []
    for row, pair in enumerate(value):
        items = tuple(pair) if isinstance(pair, tuple | list) else ()
        if len(items) != 2 or not isinstance(items[0], str) or not _is_date(items[1]):
            bad.append(Problem(row=row, field="unavailable_days",
                               message=f"expected (inspector id, date), got {pair!r}"))  # fmt: skip
            continue
        out.add((items[0], cast(dt.date, items[1])))
    if bad:
        raise ValidationError(bad, what="assignment problem")
    return frozenset(out)


def _apart(value: Iterable[tuple[str, str]]) -> frozenset[tuple[str, str]]:
    """Unordered pairs of inspector ids, each written (smaller id, larger id)."""
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ValidationError(
            [Problem(field="apart", message="(inspector id, inspector id) pairs, not "
                     f"{type(value).__name__}")],
            what="assignment problem",
        )  # fmt: skip
    out: set[tuple[str, str]] = set()
    bad: list[Problem] = []
    for row, pair in enumerate(value):
        items = tuple(pair) if isinstance(pair, tuple | list) else ()
        if (
            len(items) != 2
            or not all(isinstance(x, str) and x for x in items)
            or (items[0] == items[1])
        ):
            bad.append(Problem(row=row, field="apart", message="expected two different "
                               f"inspector ids, got {pair!r}"))  # fmt: skip
            continue
        a, b = sorted(items)
        out.add((a, b))
    if bad:
        raise ValidationError(bad, what="assignment problem")
    return frozenset(out)


def _region_rule(value: RegionRule | None) -> RegionRule:
    if value is None:
        return RegionRule()
    if not isinstance(value, RegionRule):
        raise ValidationError(
            [Problem(field="region_rule", message="expected a RegionRule or None, not "
                     f"{type(value).__name__}")],
            what="assignment problem",
        )  # fmt: skip
    return value


def _limits(value: int | Mapping[str, int] | None) -> int | Mapping[str, int] | None:
    if value is None or isinstance(value, int):
        return value
    if not isinstance(value, Mapping):
        raise ValidationError(
            [Problem(field="load_limits", message="an int, a mapping from inspector id to an "
                     f"int, or None; not {type(value).__name__}")],
            what="assignment problem",
        )  # fmt: skip
    return {str(k): v for k, v in value.items()}


@attrs.frozen(kw_only=True)
class Team:
    """The team of one visit: certified officers (the quota) and experts on top.

    Examples:
        >>> t = Team(visit="V1", officers=("Z-01", "Z-03"), experts=("E-01",))
        >>> t.members
        ('Z-01', 'Z-03', 'E-01')
    """

    visit: str
    officers: tuple[str, ...]
    experts: tuple[str, ...] = ()
    #: Of a joint visit staffed per department: (department, its officers) in the
    #: visit's department order; empty otherwise.
    by_department: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: The officer who leads the check (主办/主查人), when the visit asked for one.
    leader: str | None = None

    @property
    def members(self) -> tuple[str, ...]:
        """Officers, then experts."""
        return self.officers + self.experts

    def to_record(self) -> dict[str, Any]:
        """Plain JSON-able form (``by_department`` only when the team has parts)."""
        out: dict[str, Any] = {
            "visit": self.visit,
            "officers": list(self.officers),
            "experts": list(self.experts),
        }
        if self.by_department:
            out["by_department"] = {d: list(m) for d, m in self.by_department}
        if self.leader is not None:
            out["leader"] = self.leader
        return out


def _sorted_visits(vs: Iterable[VisitRequest]) -> tuple[VisitRequest, ...]:
    if isinstance(vs, str | bytes | Mapping) or not isinstance(vs, Iterable):
        raise ValidationError(
            [Problem(field="visits", message="expected a collection of VisitRequest, not "
                     f"{type(vs).__name__}")],
            what="assignment problem",
        )  # fmt: skip
    visits = list(vs)
    bad = [Problem(row=row, field="visits", message=f"not a VisitRequest: {v!r}"[:120])
           for row, v in enumerate(visits) if not isinstance(v, VisitRequest)]  # fmt: skip
    if bad:
        raise ValidationError(bad, what="assignment problem")
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

    @pool.validator
    def _check_pool(self, _attribute: object, value: object) -> None:
        if not isinstance(value, InspectorPool):
            raise ValidationError(
                [Problem(field="pool", message="expected an InspectorPool (see "
                         f"InspectorPool.from_records), not {type(value).__name__}")],
                what="assignment problem",
            )  # fmt: skip

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
        lim = self.load_limits
        bad = [lim] if isinstance(lim, int) else list(lim.values()) if lim is not None else []
        for x in bad:
            if not isinstance(x, int) or isinstance(x, bool) or x < 0:
                problems.append(
                    Problem(field="load_limits", message=f"must be ints >= 0, got {x!r}")
                )
        if problems:
            raise ValidationError(problems, what="assignment problem")

    def limit_of(self, inspector_id: str) -> int:
        """The load limit of one inspector (a very large number when unlimited)."""
        lim = self.load_limits
        if lim is None:
            return _UNLIMITED
        if isinstance(lim, int):
            return lim
        return lim.get(inspector_id, _UNLIMITED)

    def digests(self) -> dict[str, str]:
        """SHA-256 digests of every input, as recorded in receipts."""
        lim = self.load_limits
        lim_c: Any = lim if lim is None or isinstance(lim, int) else dict(sorted(lim.items()))
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


def _pairs_digest(pairs: frozenset[Pair]) -> str:
    """``sha256_hex(sorted(map(list, pairs)))``, with the canonical JSON written directly."""
    enc = encode_basestring
    text = "[" + ",".join(f"[{enc(a)},{enc(b)}]" for a, b in sorted(pairs)) + "]"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def receipt_digest(receipt: Mapping[str, Any]) -> str:
    """The digest the next receipt in a chain records as ``previous``: the receipt's
    ``receipt_digest`` (version 2), or the SHA-256 of its version-1 canonical JSON."""
    if receipt.get("version") == 1 or "receipt_digest" not in receipt:
        return digest(dict(receipt), "v1")
    return digest({k: v for k, v in receipt.items() if k != "receipt_digest"})


def _frozen_receipts(receipts: Iterable[Mapping[str, Any]]) -> tuple[Mapping[str, Any], ...]:
    return tuple(freeze(r) for r in receipts)


def _visit_of(team: Team) -> str:
    return team.visit


@attrs.frozen(kw_only=True)
class Assignment:
    """Teams for every visit, with the receipt chain that lets anyone recompute them.

    ``teams`` is sorted by visit id; ``receipts`` holds the original receipt first and
    one more per replacement or cancellation; ``receipt`` is the last one.
    """

    teams: tuple[Team, ...]
    problem: AssignmentProblem = attrs.field(repr=False, eq=False)
    seed: Seed = attrs.field(repr=False)
    stream: str
    receipts: tuple[Mapping[str, Any], ...] = attrs.field(
        repr=False, eq=False, converter=_frozen_receipts
    )
    version: int = attrs.field(default=RECEIPT_VERSIONS[-1], repr=False)
    algorithm_version: int = attrs.field(default=ALGORITHM_VERSION, repr=False)

    @property
    def receipt(self) -> Mapping[str, Any]:
        """The latest receipt."""
        return self.receipts[-1]

    def team(self, visit_id: str) -> Team:
        """The team of one visit; raises ``UnknownIdError``.

        ``teams`` is sorted by visit id, so this is a binary search, not a scan.
        """
        i = bisect.bisect_left(self.teams, visit_id, key=_visit_of)
        if i < len(self.teams) and self.teams[i].visit == visit_id:
            return self.teams[i]
        raise UnknownIdError([visit_id], where="assignment")

    def loads(self) -> dict[str, int]:
        """Visits served per inspector of the pool (0 for those not assigned), id order."""
        out = dict.fromkeys(self.problem.pool.ids, 0)
        for t in self.teams:
            for m in t.members:
                out[m] += 1
        return out

    def __len__(self) -> int:
        return len(self.teams)

    def __repr__(self) -> str:
        sizes = sorted({len(t.officers) + len(t.experts) for t in self.teams})
        used = len({m for t in self.teams for m in (*t.officers, *t.experts)})
        size = f"{sizes[0]}-{sizes[-1]}" if len(sizes) > 1 else (str(sizes[0]) if sizes else "-")
        return (
            f"<Assignment stream {self.stream!r}: {len(self.teams)} visits, teams of {size}, "
            f"{used} inspectors used, {len(self.receipts)} receipt(s)>"
        )


# --- building the phases ----------------------------------------------------------------


def _apart_index(
    apart: frozenset[tuple[str, str]], index: Mapping[str, int]
) -> dict[int, np.ndarray]:
    """Pool index -> sorted pool indices of those who may not serve with them."""
    out: dict[int, set[int]] = {}
    for a, b in apart:
        i, j = index.get(a), index.get(b)
        if i is not None and j is not None:
            out.setdefault(i, set()).add(j)
            out.setdefault(j, set()).add(i)
    return {i: np.array(sorted(js), dtype=np.int64) for i, js in out.items()}


def _serves(problem: AssignmentProblem, regions: Sequence[str]) -> np.ndarray:
    """``out[r, i]``: inspector ``i`` of the pool may serve a target in ``regions[r]``."""
    rule = problem.region_rule
    sets: dict[frozenset[str], int] = {}
    inv = np.array([sets.setdefault(p.regions, len(sets)) for p in problem.pool], dtype=np.int64)
    out = np.zeros((len(regions), len(problem.pool)), dtype=bool)
    for r, region in enumerate(regions):
        ok = np.array([rule.may_serve(s, region) for s in sets], dtype=bool)
        out[r] = ok[inv] if inv.size else out[r]
    return out


def _forbidden_pairs(
    problem: AssignmentProblem, index: Mapping[str, int], tindex: Mapping[str, int]
) -> tuple[np.ndarray, np.ndarray]:
    """(pool index, target index) of every conflict or rotation pair that can matter."""
    pairs = problem.conflicts | problem.rotation
    if not pairs:
        e = np.zeros(0, dtype=np.int64)
        return e, e
    insp, targets = zip(*pairs, strict=True)
    ii = np.array([index.get(x, -1) for x in insp], dtype=np.int64)
    tt = np.array([tindex.get(x, -1) for x in targets], dtype=np.int64)
    keep = (ii >= 0) & (tt >= 0)
    return ii[keep], tt[keep]


def _targets(
    problem: AssignmentProblem,
    visits: Sequence[VisitRequest],
    index: Mapping[str, int],
    memo: dict[str, Any] | None,
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray], int]:
    """(target index per visit, forbidden (pool index, target index) pairs, number of
    targets); kept in ``memo`` when ``visits`` are all the problem's visits."""
    whole = memo is not None and visits is problem.visits
    if whole and memo is not None and "targets" in memo:
        return cast(tuple[np.ndarray, tuple[np.ndarray, np.ndarray], int], memo["targets"])
    tindex: dict[str, int] = {}
    tgt = np.array([tindex.setdefault(v.target, len(tindex)) for v in visits], dtype=np.int64)
    out = (tgt, _forbidden_pairs(problem, index, tindex), max(len(tindex), 1))
    if whole and memo is not None:
        memo["targets"] = out
    return out


def _build_phase(
    role: str,
    problem: AssignmentProblem,
    visits: Sequence[VisitRequest],
    fixed: Mapping[str, tuple[str, ...]],
    cap: np.ndarray,
    seed: Seed,
    stream: str,
    fv: np.ndarray,
    forb: tuple[np.ndarray, np.ndarray],
    tgt: np.ndarray,
    memo: dict[str, Any] | None = None,
) -> Phase:
    """The phase of one role: visit classes, candidates, requirement masks, exclusions and
    pair tickets, built with one pass over the visits and numpy over the rest."""
    pool = problem.pool
    people: tuple[Inspector, ...] = pool.inspectors
    P = len(people)
    index = {p.id: i for i, p in enumerate(people)}
    officers = role == "officers"
    role_ok = np.array(
        [p.available and (p.counts_toward_quota if officers else p.expert) for p in people],
        dtype=bool,
    )
    depts = sorted({p.department for p in people})
    dix = {d: i for i, d in enumerate(depts)}
    dept_of = np.array([dix[p.department] for p in people], dtype=np.int64)
    tag_cache: dict[str, np.ndarray] = {}

    def holds(tag: str) -> np.ndarray:
        h = tag_cache.get(tag)
        if h is None:
            h = np.array([tag in p.tags for p in people], dtype=bool)
            tag_cache[tag] = h
        return h

    ph = Phase(role, pool.ids, cap)
    ph.visit_ids = [v.id for v in visits]
    nV = len(visits)
    kid: dict[tuple[Any, ...], int] = {}
    # the key tuples die at once unless new, so they add nothing for the garbage collector
    vk = np.array(
        [kid.setdefault((v.region, v.departments, v.qualifications), len(kid)) for v in visits]
        if officers
        else [kid.setdefault((v.region, v.expert_tags), len(kid)) for v in visits],
        dtype=np.int64,
    )
    if memo is not None and officers and not fixed and visits is problem.visits:
        memo["visit_keys"] = (vk, list(kid))  # (region, departments, qualifications) ids
    regions = sorted({k[0] for k in kid})
    serves = _serves(problem, regions)
    rix = {r: i for i, r in enumerate(regions)}
    classes: dict[tuple[Any, ...], int] = {}
    mask_ids: dict[tuple[Any, ...], int] = {}
    k_cls, k_mask, k_U = [], [], []
    for key in kid:
        region = key[0]
        if officers:
            vdepts, quals = key[1], key[2]
            ckey: tuple[Any, ...] = (region, tuple(sorted(vdepts)))
            bits = ([f"department:{d}" for d in sorted(vdepts)] if len(vdepts) >= 2 else []) + [
                f"qualification:{q}" for q in sorted(quals)
            ]
        else:
            ckey = (region, tuple(sorted(key[1])))
            bits = []
        c = classes.get(ckey)
        if c is None:
            ok = role_ok & serves[rix[region]]
            if officers:
                ok &= np.isin(dept_of, [dix[d] for d in key[1] if d in dix])
            else:
                for tag in key[1]:
                    ok &= holds(tag)
            c = len(ph.cands)
            classes[ckey] = c
            ph.cands.append(np.flatnonzero(ok).astype(np.int64))
        C = ph.cands[c]
        mkey = (c, tuple(bits))
        m = mask_ids.get(mkey)
        if m is None:
            mask = np.zeros(len(C), dtype=np.uint64)
            for b, name in enumerate(bits):
                kind, value = name.split(":", 1)
                dept = kind == "department"
                has = dept_of[C] == dix.get(value, -1) if dept else holds(value)[C]
                mask |= has.astype(np.uint64) << np.uint64(b)
            m = len(ph.masks)
            mask_ids[mkey] = m
            ph.masks.append(mask)
            ph.bitnames.append(tuple(bits))
        k_cls.append(c)
        k_mask.append(m)
        k_U.append((1 << len(bits)) - 1)
    cls = np.array(k_cls, dtype=np.int64)[vk] if nV else np.zeros(0, dtype=np.int64)
    ph.cls = cls
    ph.maskid = np.array(k_mask, dtype=np.int64)[vk] if nV else cls.copy()
    U0 = np.array(k_U, dtype=np.int64)[vk] if nV else cls.copy()
    need = np.array([v.team_size if officers else v.experts for v in visits], dtype=np.int64)
    # members kept from a team (replacement): they cover their bits and take their places
    ex_k: list[int] = []
    ex_i: list[int] = []
    for k, v in enumerate(visits):
        kept = fixed.get(v.id, ())
        if not kept:
            continue
        bits_t = ph.bitnames[int(ph.maskid[k])]
        U = int(U0[k])
        for member in kept:
            p = people[index[member]]
            ex_k.append(k)
            ex_i.append(index[member])
            for b, name in enumerate(bits_t):
                kind, value = name.split(":", 1)
                if (p.department == value) if kind == "department" else (value in p.tags):
                    U &= ~(1 << b)
        U0[k] = U
        need[k] = max(int(need[k]) - len(kept), 0)
    if officers and problem.apart:
        ph.apart = _apart_index(problem.apart, index)
        # the parts of one joint visit are one team: pairs hold across them
        team_of: dict[str, list[int]] = {}
        for k, v in enumerate(visits):
            team_of.setdefault(v.id.split(UNIT_SEPARATOR, 1)[0], []).append(k)
        ph.links = [(ks[0], k) for ks in team_of.values() for k in ks[1:]]
        for ks in team_of.values():  # a kept member's partners leave the whole team
            for member in (m for k in ks for m in fixed.get(visits[k].id, ())):
                for j in ph.apart.get(index[member], np.zeros(0, dtype=np.int64)).tolist():
                    ex_k += ks
                    ex_i += [j] * len(ks)
    # certificates expired and unavailable days, for dated visits
    for k, member in problem.date_excluded(visits, role):
        j = index.get(member)
        if j is not None:
            ex_k.append(k)
            ex_i.append(j)
    ph.U0 = U0
    ph.need = need
    # exclusions: forbidden (inspector, target) pairs, expanded to the target's visits
    fi_, ft_ = forb
    by_t = np.argsort(tgt, kind="stable")
    ts = tgt[by_t]
    lo = np.searchsorted(ts, ft_, side="left")
    hi = np.searchsorted(ts, ft_, side="right")
    cnt = hi - lo
    start = np.repeat(lo - np.cumsum(np.r_[0, cnt[:-1]]), cnt) if cnt.size else cnt
    ek = by_t[np.arange(int(cnt.sum())) + start] if cnt.size else cnt
    ei = np.repeat(fi_, cnt)
    ek = np.concatenate([ek, np.array(ex_k, dtype=np.int64)])
    ei = np.concatenate([ei, np.array(ex_i, dtype=np.int64)])
    lens = np.array([C.size for C in ph.cands], dtype=np.int64)
    coff = np.r_[0, np.cumsum(lens)]
    # class-major keys c * P + inspector are sorted, since each candidate array is sorted
    ckeys = (
        np.repeat(np.arange(len(ph.cands), dtype=np.int64), lens) * P + np.concatenate(ph.cands)
        if ph.cands
        else np.zeros(0, dtype=np.int64)
    )
    q = cls[ek] * P + ei
    at = np.searchsorted(ckeys, q)
    found = at < ckeys.size
    found[found] = ckeys[at[found]] == q[found]
    ek, epos = ek[found], at[found] - coff[cls[ek[found]]]
    width = max(int(lens.max()) if lens.size else 1, 1)
    pairs = np.unique(ek * width + epos)  # sorted by visit, then position; duplicates merged
    ek, epos = pairs // width, pairs % width
    ph.excl_ptr = np.searchsorted(ek, np.arange(nV + 1))
    ph.excl_pos = epos
    # pair tickets, one block per class (rows: the class's visits in visit order)
    by_c = np.argsort(cls, kind="stable")
    cstart = np.searchsorted(cls[by_c], np.arange(len(ph.cands) + 1))
    trow = np.empty(nV, dtype=np.int64)
    trow[by_c] = np.arange(nV) - np.repeat(cstart[:-1], np.diff(cstart))
    ph.trow = trow
    fi = fingerprints(pool.ids)
    sub = f"{stream}/{role}"
    # one buffer for all classes (the greedy reads it flat), class blocks in class order
    sizes = np.diff(cstart) * lens
    toff = np.r_[0, np.cumsum(sizes)]
    flat = np.zeros(int(toff[-1]) + 1, dtype=np.int64)
    for c in range(len(ph.cands)):
        rows = by_c[cstart[c] : cstart[c + 1]]
        block = flat[toff[c] : toff[c + 1]].reshape(rows.size, lens[c])
        block[...] = build_ticket_keys(fv[rows], fi[ph.cands[c]], seed, sub)
        ph.tix.append(block)
    ph.tix_flat = flat
    return ph


def _solve(
    problem: AssignmentProblem,
    visits: Sequence[VisitRequest],
    fixed_officers: Mapping[str, tuple[str, ...]],
    fixed_experts: Mapping[str, tuple[str, ...]],
    used: Mapping[str, int],
    seed: Seed,
    stream: str,
    memo: dict[str, Any] | None = None,
) -> tuple[list[Team], list[dict[str, Any]], bool]:
    """Teams for ``visits`` (in the given order of ids), keeping fixed members; also the
    teams' receipt records.

    A joint visit staffed per department is solved as one part per department (its own
    unit id ``visit id + U+001F + department``, so its own pair tickets and its own place
    in the order): each part is an ordinary one-department requirement group. The parts
    are joined into the visit's team afterwards; a witness names the visit and department.
    """
    if not any(v.per_department or v.leader for v in visits):
        return _solve_units(
            problem, visits, fixed_officers, fixed_experts, used, seed, stream, memo
        )
    units, fixed_o, fixed_e = _split_parts(problem, visits, fixed_officers, fixed_experts)
    try:
        teams, _, fallback = _solve_units(problem, units, fixed_o, fixed_e, used, seed, stream)
    except InfeasibleAssignment as exc:
        w = _named_parts(cast(Witness, exc.witness))
        raise InfeasibleAssignment(f"no lawful assignment: {w}", witness=w) from None
    joined = _draw_leaders(problem, visits, _join_parts(visits, teams), seed, stream)
    return joined, [t.to_record() for t in joined], fallback


def _draw_leaders(
    problem: AssignmentProblem,
    visits: Sequence[VisitRequest],
    teams: Sequence[Team],
    seed: Seed,
    stream: str,
) -> list[Team]:
    """The leader (主办) of each visit that asks for one: among the team's officers of the
    lead department who may lead, the one with the smallest pair ticket under
    ``stream + "/leader"`` (ties: lower id). The team's requirements guarantee one."""
    out = list(teams)
    pool = problem.pool
    for k, v in enumerate(visits):
        if not v.leader:
            continue
        lead = v.departments[0]
        cands = sorted(
            m for m in out[k].officers if pool[m].department == lead and pool[m].can_lead
        )
        t = build_tickets(fingerprints([v.id]), fingerprints(cands), seed, f"{stream}/leader")[0]
        out[k] = attrs.evolve(out[k], leader=cands[int(np.argmin(t))])
    return out


def _part_id(visit: str, department: str) -> str:
    return f"{visit}{UNIT_SEPARATOR}{department}"


def _split_parts(
    problem: AssignmentProblem,
    visits: Sequence[VisitRequest],
    fixed_officers: Mapping[str, tuple[str, ...]],
    fixed_experts: Mapping[str, tuple[str, ...]],
) -> tuple[list[VisitRequest], dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """Each joint visit staffed per department as one request per department (the lead's
    part carries the experts), with the kept members of a replacement split to match."""
    units: list[VisitRequest] = []
    fo: dict[str, tuple[str, ...]] = {}
    fe: dict[str, tuple[str, ...]] = {}
    pool = problem.pool
    for v in visits:
        if not v.per_department:
            units.append(
                attrs.evolve(v, qualifications=v.lead_requirements(), leader=False)
                if v.leader
                else v
            )
            if v.id in fixed_officers:
                fo[v.id] = fixed_officers[v.id]
            if v.id in fixed_experts:
                fe[v.id] = fixed_experts[v.id]
            continue
        lead = v.departments[0]
        kept = fixed_officers.get(v.id, ())
        for d, n, quals in v.parts():
            uid = _part_id(v.id, d)
            units.append(
                VisitRequest(
                    id=uid,
                    target=v.target,
                    region=v.region,
                    departments=(d,),
                    qualifications=quals,
                    team_size=n,
                    date=v.date,
                    experts=v.experts if d == lead else 0,
                    expert_tags=v.expert_tags if d == lead else frozenset(),
                )
            )
            mine = tuple(m for m in kept if pool[m].department == d)
            if mine:
                fo[uid] = mine
            if d == lead and fixed_experts.get(v.id):
                fe[uid] = fixed_experts[v.id]
    return units, fo, fe


def _join_parts(visits: Sequence[VisitRequest], teams: Sequence[Team]) -> list[Team]:
    """The parts' teams joined into one team per visit (officers sorted, parts kept)."""
    by_id = {t.visit: t for t in teams}
    out = []
    for v in visits:
        if not v.per_department:
            out.append(by_id[v.id])
            continue
        parts = [(d, by_id[_part_id(v.id, d)]) for d in v.departments]
        out.append(
            Team(
                visit=v.id,
                officers=tuple(sorted(m for _, t in parts for m in t.officers)),
                experts=parts[0][1].experts,
                by_department=tuple((d, t.officers) for d, t in parts),
            )
        )
    return out


def _named_parts(w: Witness) -> Witness:
    """A witness about parts, told as visits and departments."""

    def visit(uid: str) -> str:
        return uid.split(UNIT_SEPARATOR, 1)[0]

    def reason(uid: str, why: str) -> str:
        if UNIT_SEPARATOR not in uid:
            return why
        return f"department {uid.split(UNIT_SEPARATOR, 1)[1]!r}: {why}"

    return attrs.evolve(
        w,
        visits=tuple(sorted({visit(u) for u in w.visits})),
        reasons=tuple((visit(u), reason(u, why)) for u, why in w.reasons),
    )


def _solve_units(
    problem: AssignmentProblem,
    visits: Sequence[VisitRequest],
    fixed_officers: Mapping[str, tuple[str, ...]],
    fixed_experts: Mapping[str, tuple[str, ...]],
    used: Mapping[str, int],
    seed: Seed,
    stream: str,
    memo: dict[str, Any] | None = None,
) -> tuple[list[Team], list[dict[str, Any]], bool]:
    """:func:`_solve` for requests that are each one requirement group."""
    ids = problem.pool.ids
    P = len(ids)
    cap = np.array([max(problem.limit_of(i) - used.get(i, 0), 0) for i in ids], dtype=np.int64)
    vids = [v.id for v in visits]
    fv = fingerprints(vids)
    t = tickets(fv, seed, f"{stream}/order")
    # ties of 64-bit tickets are broken by id; visits are sorted by id already
    order = np.lexsort((np.arange(len(vids)), t)).astype(np.int64)
    index = {p: i for i, p in enumerate(ids)}
    tgt, forb, _ = _targets(problem, visits, index, memo)
    names = np.array((*ids, ""), dtype=object)  # index P (padding) names nobody
    fallback = False
    lists: dict[str, list[list[str]]] = {}
    for role, fixed in (("officers", fixed_officers), ("experts", fixed_experts)):
        if role == "officers":
            ks = np.arange(len(visits), dtype=np.int64)
        else:  # only visits with expert places take part in the experts' phase
            ks = np.array(
                [k for k, v in enumerate(visits) if v.experts or (fixed and fixed.get(v.id))],
                dtype=np.int64,
            )
        full: list[list[str]] = [[] for _ in visits] if ks.size < len(visits) else []
        if ks.size:
            sub_visits = visits if ks.size == len(visits) else [visits[k] for k in ks.tolist()]
            rank = np.full(len(visits), -1, dtype=np.int64)
            rank[ks] = np.arange(ks.size)
            sub_order = rank[order]
            sub_order = sub_order[sub_order >= 0]
            ph = _build_phase(
                role, problem, sub_visits, fixed, cap, seed, stream, fv[ks], forb, tgt[ks], memo
            )
            try:
                mat, fb = solve_phase(ph, sub_order)
            except _Infeasible as exc:
                w = exc.witness
                raise InfeasibleAssignment(f"no lawful assignment: {w}", witness=w) from None
            fallback |= fb
            mat = np.where(mat < 0, P, mat)
            mat.sort(axis=1)  # pool order is id order; padding (P) sorts last
            got: list[list[str]] = names[mat].tolist()
            if not (ph.need == mat.shape[1]).all():
                got = [row[:n] for row, n in zip(got, ph.need.tolist(), strict=True)]
            if fixed:
                got = [
                    sorted(fixed.get(v.id, ()) + tuple(row))
                    for v, row in zip(sub_visits, got, strict=True)
                ]
            if full:
                for r, k in enumerate(ks.tolist()):
                    full[k] = got[r]
            else:
                full = got
        lists[role] = full
    teams = [
        Team(visit=v, officers=tuple(o), experts=tuple(e))
        for v, o, e in zip(vids, lists["officers"], lists["experts"], strict=True)
    ]
    records = [
        {"visit": v, "officers": o, "experts": e}
        for v, o, e in zip(vids, lists["officers"], lists["experts"], strict=True)
    ]
    return teams, records, fallback


def _bit_rows(keys: Sequence[Iterable[str]], bit: Mapping[str, int], nw: int) -> np.ndarray:
    """One row of ``nw`` uint64 words per key: bit ``bit[x]`` set for each member ``x``."""
    rows: dict[Any, int] = {}
    inv = np.array([rows.setdefault(k, len(rows)) for k in keys], dtype=np.int64)
    table = np.zeros((max(len(rows), 1), nw), dtype=np.uint64)
    for k, r in rows.items():
        for x in k:
            b = bit.get(x)
            if b is not None:
                table[r, b >> 6] |= np.uint64(1) << np.uint64(b & 63)
    return table[inv] if inv.size else np.zeros((0, nw), dtype=np.uint64)


def _lawful_problems(
    problem: AssignmentProblem, teams: Sequence[Team], memo: dict[str, Any] | None = None
) -> list[str]:
    """Every rule a set of teams breaks (empty when lawful); used on every output.

    Every team is screened at once with numpy (team sizes, distinct members, roles,
    availability, departments, qualifications, expert tags, regions, recusal and
    rotation, load limits); the teams the screen flags are then described one by one.
    """
    visits = problem.visits
    people = problem.pool.inspectors
    P, nT = len(people), len(teams)
    tvis = [t.visit for t in teams]
    if tvis == [v.id for v in visits]:  # the usual case: one team per visit, in id order
        tv = np.arange(nT, dtype=np.int64)
    else:
        vindex = {v.id: k for k, v in enumerate(visits)}
        tv = np.array([vindex[x] for x in tvis], dtype=np.int64)
    index = {p.id: i for i, p in enumerate(people)}
    ocnt = np.array([len(t.officers) for t in teams], dtype=np.int64)
    ecnt = np.array([len(t.experts) for t in teams], dtype=np.int64)
    oi = np.array([index.get(m, P) for m in chain.from_iterable(t.officers for t in teams)])
    ei = np.array([index.get(m, P) for m in chain.from_iterable(t.experts for t in teams)])
    oi, ei = oi.astype(np.int64), ei.astype(np.int64)
    ot = np.repeat(np.arange(nT, dtype=np.int64), ocnt)
    et = np.repeat(np.arange(nT, dtype=np.int64), ecnt)
    flagged = np.zeros(nT, dtype=bool)
    size = np.array([v.team_size for v in visits], dtype=np.int64)
    nexp = np.array([v.experts for v in visits], dtype=np.int64)
    flagged |= (ocnt != size[tv]) | (ecnt != nexp[tv])
    # members: distinct within a team (officers and experts together)
    am, at = np.concatenate([oi, ei]), np.concatenate([ot, et])
    srt = np.lexsort((am, at))
    dup = (at[srt][1:] == at[srt][:-1]) & (am[srt][1:] == am[srt][:-1])
    flagged[at[srt][1:][dup]] = True
    # per-inspector facts; index P stands for an id not in the pool and fails every test
    avail = np.array([p.available for p in people] + [False])
    quota = np.array([p.counts_toward_quota for p in people] + [False])
    expert = np.array([p.expert for p in people] + [False])
    # (region, departments, qualifications) per visit, as ids of the distinct triples
    hit = memo.get("visit_keys") if memo is not None else None
    if hit is None:
        kid: dict[tuple[Any, ...], int] = {}
        vk = np.array(
            [kid.setdefault((v.region, v.departments, v.qualifications), len(kid)) for v in visits],
            dtype=np.int64,
        )
        keys = list(kid)
    else:
        vk, keys = hit
    with_experts = np.flatnonzero(nexp > 0).tolist()
    ve_keys = [visits[k].expert_tags for k in with_experts]
    dept_bit = {d: b for b, d in enumerate(sorted({d for k in keys for d in k[1]}))}
    ndw = (len(dept_bit) >> 6) + 1
    vd = _bit_rows([k[1] for k in keys], dept_bit, ndw)[vk]
    idept = _bit_rows([(p.department,) for p in people] + [()], dept_bit, ndw)
    tags = {q for k in keys for q in k[2]} | {q for e in ve_keys for q in e}
    tag_bit = {q: b for b, q in enumerate(sorted(tags))}
    ntw = (len(tag_bit) >> 6) + 1
    vq = _bit_rows([k[2] for k in keys], tag_bit, ntw)[vk]
    ve = np.zeros((len(visits), ntw), dtype=np.uint64)
    ve[with_experts] = _bit_rows(ve_keys, tag_bit, ntw)
    itag = _bit_rows([p.tags for p in people] + [()], tag_bit, ntw)
    regions = sorted({k[0] for k in keys})
    rix = {r: i for i, r in enumerate(regions)}
    vreg = np.array([rix[k[0]] for k in keys], dtype=np.int64)[vk]
    serves = np.concatenate([_serves(problem, regions), np.zeros((len(regions), 1), bool)], 1)
    vtgt, (fi, ft), NT = _targets(problem, visits, index, memo)
    forb = np.unique(fi * NT + ft)
    ok_o = (
        avail[oi]
        & quota[oi]
        & (vd[tv[ot]] & idept[oi]).any(axis=1)
        & serves[vreg[tv[ot]], oi]
        & ~np.isin(oi * NT + vtgt[tv[ot]], forb)
    )
    ok_e = (
        avail[ei]
        & expert[ei]
        & ~(ve[tv[et]] & ~itag[ei]).any(axis=1)
        & serves[vreg[tv[et]], ei]
        & ~np.isin(ei * NT + vtgt[tv[et]], forb)
    )
    flagged[ot[~ok_o]] = True
    flagged[et[~ok_e]] = True
    # every department and qualification of the visit covered by the officers
    have_d = np.zeros((nT, ndw), dtype=np.uint64)
    have_q = np.zeros((nT, ntw), dtype=np.uint64)
    if nT and ocnt.min() > 0:  # officers of a team are contiguous: reduce by segments
        starts = np.r_[0, np.cumsum(ocnt)[:-1]]
        have_d = np.bitwise_or.reduceat(idept[oi], starts, axis=0)
        have_q = np.bitwise_or.reduceat(itag[oi], starts, axis=0)
    else:
        np.bitwise_or.at(have_d, ot, idept[oi])
        np.bitwise_or.at(have_q, ot, itag[oi])
    flagged |= (vd[tv] & ~have_d).any(axis=1) | (vq[tv] & ~have_q).any(axis=1)
    bad = np.flatnonzero(flagged).tolist()
    out = _team_problems(problem, [teams[i] for i in bad])
    if bad and not out:  # pragma: no cover - the screen and the description disagree
        out = [f"{teams[i].visit}: fails the lawfulness screen" for i in bad]
    load = np.bincount(am[am < P], minlength=P)
    for i in np.flatnonzero(load > 0).tolist():
        m = people[i].id
        if load[i] > problem.limit_of(m):
            out.append(f"{m}: serves {int(load[i])} visits, limit {problem.limit_of(m)}")
    return out + _part_problems(problem, teams)


def _date_problems(problem: AssignmentProblem, teams: Sequence[Team]) -> list[str]:
    """No member is barred by a date: an expired certificate (officers) or a day off."""
    visits = problem.visits
    barred = {
        role: {(visits[k].id, i) for k, i in problem.date_excluded(visits, role)}
        for role in ("officers", "experts")
    }
    if not barred["officers"] and not barred["experts"]:
        return []
    return [
        f"{t.visit}: {m} cannot serve that day (certificate expired or unavailable)"
        for t in teams
        for role, members in (("officers", t.officers), ("experts", t.experts))
        for m in members
        if (t.visit, m) in barred[role]
    ]


def _leader_problems(problem: AssignmentProblem, teams: Sequence[Team]) -> list[str]:
    """A visit that asks for a leader has one: an officer of the team from the lead
    department who may lead (主办); other teams have none."""
    asks = {v.id: v for v in problem.visits if v.leader}
    out: list[str] = []
    for t in teams:
        v = asks.get(t.visit)
        if v is None:
            if t.leader is not None:
                out.append(f"{t.visit}: a leader the visit did not ask for")
            continue
        p = problem.pool.get(t.leader) if t.leader is not None else None
        if (
            p is None
            or t.leader not in t.officers
            or p.department != v.departments[0]
            or not p.can_lead
        ):
            out.append(f"{v.id}: leader {t.leader!r} is not an officer of the lead department "
                       "who may lead (主办)")  # fmt: skip
    return out


def _part_problems(problem: AssignmentProblem, teams: Sequence[Team]) -> list[str]:
    """The rules the parts of joint teams staffed per department break: each department's
    part has its size, only that department's officers, and holds its qualifications;
    the parts together are the team's officers. Other teams have no parts."""
    out = _leader_problems(problem, teams) + _date_problems(problem, teams)
    out += [
        f"{t.visit}: {a} and {b} may not serve together"
        for t in teams
        for a, b in itertools.combinations(sorted(t.officers), 2)
        if (a, b) in problem.apart
    ]
    by_visit = {v.id: v for v in problem.visits if v.per_department}
    for t in teams:
        v = by_visit.get(t.visit)
        if v is None:
            if t.by_department:
                out.append(f"{t.visit}: a team with parts, but the visit has none")
            continue
        got = dict(t.by_department)
        if [d for d, _ in t.by_department] != list(v.departments):
            out.append(f"{v.id}: parts {sorted(got)} are not the visit's departments")
            continue
        if sorted(m for ms in got.values() for m in ms) != sorted(t.officers):
            out.append(f"{v.id}: the parts are not the team's officers")
        for d, n, quals in v.parts():
            people = [problem.pool.get(m) for m in got[d]]
            if len(set(got[d])) != n or any(p is None or p.department != d for p in people):
                out.append(f"{v.id}: department {d!r} needs {n} distinct officers of its own")
            for q in sorted(quals):
                if not any(p is not None and q in p.tags for p in people):
                    out.append(f"{v.id}: no officer of department {d!r} holds {q}")
    return out


def _team_problems(problem: AssignmentProblem, teams: Sequence[Team]) -> list[str]:
    """The rules each of ``teams`` breaks, one team at a time (load limits aside)."""
    pool = problem.pool
    forbidden = problem.conflicts | problem.rotation
    out: list[str] = []
    by_visit = {v.id: v for v in problem.visits}
    serves: dict[tuple[frozenset[str], str], bool] = {}
    for t in teams:
        v = by_visit[t.visit]
        if len(t.officers) != v.team_size or len(set(t.officers)) != len(t.officers):
            out.append(f"{v.id}: needs {v.team_size} distinct officers, has {t.officers}")
        if (
            len(t.experts) != v.experts
            or len(set(t.experts)) != len(t.experts)
            or set(t.experts) & set(t.officers)
        ):
            out.append(f"{v.id}: needs {v.experts} distinct experts on top, has {t.experts}")
        members = []
        for m in t.members:
            p = pool.get(m)
            if p is None:
                out.append(f"{v.id}: {m} is not in the pool")
                continue
            officer = m in t.officers
            if officer:
                members.append(p)
            if not p.available:
                out.append(f"{v.id}: {m} is unavailable")
            if officer and (not p.counts_toward_quota or p.department not in v.departments):
                out.append(f"{v.id}: {m} may not serve as an officer here")
            if not officer and (not p.expert or not v.expert_tags <= p.tags):
                out.append(f"{v.id}: {m} may not serve as an expert here")
            sk = (p.regions, v.region)
            ok = serves.get(sk)
            if ok is None:
                ok = serves[sk] = problem.region_rule.may_serve(p.regions, v.region)
            if not ok:
                out.append(f"{v.id}: {m} does not serve region {v.region}")
            if forbidden and (m, v.target) in forbidden:
                out.append(f"{v.id}: {m} is recused or rotated off target {v.target}")
        if v.is_joint:
            for d in v.departments:
                if not any(p.department == d for p in members):
                    out.append(f"{v.id}: no officer from {d}")
        for q in v.qualifications:
            if not any(q in p.qualifications or q in p.expertise for p in members):
                out.append(f"{v.id}: no officer holds {q}")
    return out


def _receipt(
    problem: AssignmentProblem,
    seed: Seed,
    stream: str,
    teams: Sequence[Team],
    event: dict[str, Any],
    previous: Mapping[str, Any] | None,
    fallback: bool,
    records: list[dict[str, Any]] | None = None,
    *,
    version: int = RECEIPT_VERSIONS[-1],
    algorithm_version: int = ALGORITHM_VERSION,
) -> Mapping[str, Any]:
    head: dict[str, Any] = (
        {"format": "randsupervise.assignment-receipt", "version": 1}
        if version == 1
        else {"format": RECEIPT_FORMAT, "kind": "assignment", "version": version}
    )
    body = {
        **head,
        "algorithm": ALGORITHM,
        "algorithm_version": algorithm_version,
        "ticket": {"algorithm": TICKET_ALGORITHM, "version": TICKET_VERSION},
        "seed": seed.hex,
        **({} if version == 1 else {"seed_source": seed.source}),
        "stream": stream,
        "event": event,
        "previous": receipt_digest(previous) if previous is not None else None,
        "inputs": problem.digests(),
        "exact_fallback": fallback,
        "solver": f"scipy {scipy.__version__} milp (HiGHS)" if fallback else None,
        "teams": records if records is not None else [t.to_record() for t in teams],
    }
    sealed: Mapping[str, Any] = freeze(body) if version == 1 else seal(body)
    return sealed


def _checked(
    problem: AssignmentProblem, teams: Sequence[Team], memo: dict[str, Any] | None = None
) -> None:
    bad = _lawful_problems(problem, teams, memo)
    if bad:  # pragma: no cover - a bug guard: the engine must never return these
        raise AssertionError("internal error, unlawful teams: " + "; ".join(bad[:5]))


def assign(
    visits: Iterable[VisitRequest],
    pool: InspectorPool,
    *,
    seed: Seed | str,
    stream: str,
    conflicts: Iterable[Pair] = (),
    rotation: Iterable[Pair] = (),
    load_limits: int | Mapping[str, int] | None = None,
    region_rule: RegionRule | None = None,
    certificates_valid_until: Mapping[str, dt.date] | None = None,
    unavailable_days: Iterable[tuple[str, dt.date]] = (),
    apart: Iterable[tuple[str, str]] = (),
    receipt_version: int = RECEIPT_VERSIONS[-1],
    algorithm_version: int = ALGORITHM_VERSION,
) -> Assignment:
    """Draw a lawful team for every visit.

    Args:
        visits: The visits to staff.
        pool: The inspector pool; only available inspectors are assigned.
        seed: The public seed, or public text turned into one by :meth:`Seed.from_text`
            (as :func:`randsupervise.draw.draw` accepts).
        stream: A label for this draw (e.g. ``"2024/batch-1/teams"``); sub-streams
            ``stream + "/order"``, ``"/officers"`` and ``"/experts"`` are derived from it.
        conflicts: (inspector id, target id) pairs that must not meet (回避).
        rotation: (inspector id, target id) pairs of recent periods, not to repeat.
        load_limits: Most visits per inspector (int, mapping by id, or ``None``).
        region_rule: Region rule (default: inspectors serve their own regions).
        certificates_valid_until: Inspector id -> last day its certificate is valid; an
            officer is not drawn for a visit whose ``date`` is later.
        unavailable_days: (inspector id, date) pairs: not drawn for a visit that day.
        apart: Pairs of officers who must not serve on one team (relatives, a supervisor
            and a subordinate).
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
    """
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
    check_label(stream, "stream", what="assign")
    if receipt_version not in RECEIPT_VERSIONS:
        raise ValidationError(
            [Problem(field="receipt_version", message=f"one of {list(RECEIPT_VERSIONS)}")]
        )
    return _assign_problem(problem, as_seed(seed), stream, receipt_version, algorithm_version)


def _check_algorithm(problem: AssignmentProblem, algorithm_version: int) -> None:
    """Refuse an unknown algorithm version, and per-department joint visits under 1."""
    if algorithm_version not in ALGORITHM_VERSIONS:
        raise ValidationError(
            [Problem(field="algorithm_version", message=f"one of {list(ALGORITHM_VERSIONS)}")]
        )
    if algorithm_version == 1:
        bad = [
            Problem(
                id=v.id,
                field="joint_rule",
                message="assignment algorithm version 1 staffs a joint visit only as one "
                "team with one officer of each department (joint_rule='one_per_department')",
            )
            for v in problem.visits
            if v.per_department
        ]
        if bad:
            raise ValidationError(bad, what="assignment problem")


def _assign_problem(
    problem: AssignmentProblem,
    seed: Seed,
    stream: str,
    version: int = RECEIPT_VERSIONS[-1],
    algorithm_version: int = ALGORITHM_VERSION,
) -> Assignment:
    _check_algorithm(problem, algorithm_version)
    memo: dict[str, Any] = {}
    teams, records, fallback = _solve(problem, problem.visits, {}, {}, {}, seed, stream, memo)
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


def _restaff(
    problem: AssignmentProblem,
    visits: Sequence[VisitRequest],
    affected: Sequence[Team],
    gone: set[str],
    used: Mapping[str, int],
    seed: Seed,
    stream: str,
) -> tuple[list[Team], bool, set[str]]:
    """New teams for the ``affected`` visits of a replacement: (teams, exact fallback used,
    ids of the visits whose team was drawn anew).

    Every team first keeps its remaining members. When that is impossible, the exact check
    names the visits it cannot staff; only their teams are drawn anew, and the others try
    again to keep theirs. If the check names no team still keeping members (the conflict
    lies elsewhere), every affected team is drawn anew as a last attempt, so this fails
    only where drawing all of them anew fails too.
    """
    redrawn: set[str] = set()
    while True:
        keep = [t for t in affected if t.visit not in redrawn]
        keep_o = {t.visit: tuple(m for m in t.officers if m not in gone) for t in keep}
        keep_e = {t.visit: tuple(m for m in t.experts if m not in gone) for t in keep}
        taken = dict(used)
        for t in keep:
            for m in keep_o[t.visit] + keep_e[t.visit]:
                taken[m] = taken.get(m, 0) + 1
        try:
            new, _, fallback = _solve(problem, visits, keep_o, keep_e, taken, seed, stream)
        except InfeasibleAssignment as exc:
            named = set(getattr(exc.witness, "visits", ())) & {t.visit for t in keep}
            if named:
                redrawn |= named
            elif keep:
                redrawn = {t.visit for t in affected}
            else:
                raise
            continue
        return new, fallback, redrawn


def replace(assignment: Assignment, unavailable: Iterable[str]) -> Assignment:
    """补抽: replace inspectors who became unavailable; every other team stays as it was.

    The new members are drawn under the stream ``f"{stream}/replace/{k}"`` (``k`` = 1 for
    the first change after the draw, 2 for the next, ...). The remaining members of an
    affected team are kept when the rules allow it; otherwise the affected team is drawn
    anew (only that team: the other affected teams still keep theirs). The receipt chain
    grows by one receipt; its event says whether any team was drawn anew
    (``whole_teams_redrawn``).

    Raises:
        UnknownIdError: an id is not in the pool.
        InfeasibleAssignment: the affected teams cannot be restaffed without moving others.

    Examples:
        >>> from randsupervise.model.sample import sample_inspectors
        >>> pool = sample_inspectors()
        >>> vs = [VisitRequest(id=f"V{i}", target=f"T{i}", region="东城镇",
        ...                    departments=["文化市场综合行政执法大队"]) for i in range(5)]
        >>> a = assign(vs, pool, seed=Seed.from_text("demo"), stream="doc")
        >>> gone = a.team("V0").officers[0]
        >>> b = replace(a, [gone])
        >>> gone in b.team("V0").officers
        False
        >>> [a.team(v.id) == b.team(v.id) for v in vs if gone not in a.team(v.id).members]
        [True, True, True, True]
    """
    gone = sorted(set(unavailable))
    problem = assignment.problem
    new_pool = problem.pool.with_availability(gone, False)
    new_problem = attrs.evolve(problem, pool=new_pool)
    k = len(assignment.receipts)
    stream = f"{assignment.stream}/replace/{k}"
    gset = set(gone)
    affected = [t for t in assignment.teams if gset & set(t.members)]
    aff_ids = {t.visit for t in affected}
    used: dict[str, int] = {}
    for t in assignment.teams:
        if t.visit not in aff_ids:
            for m in t.members:
                used[m] = used.get(m, 0) + 1
    visits = [v for v in new_problem.visits if v.id in aff_ids]
    new, fallback, redrawn = _restaff(
        new_problem, visits, affected, gset, used, assignment.seed, stream
    )
    whole = bool(redrawn)
    # a leader still on the team stays leader; another is drawn only for a leader who left
    kept = {t.visit: t.leader for t in affected if t.leader is not None and t.leader not in gset}
    new = [
        attrs.evolve(t, leader=kept[t.visit])
        if t.visit in kept and kept[t.visit] in t.officers
        else t
        for t in new
    ]
    by_id = {t.visit: t for t in new}
    teams = tuple(by_id.get(t.visit, t) for t in assignment.teams)
    _checked(new_problem, teams)
    event = {"kind": "replace", "unavailable": gone, "stream": stream, "whole_teams_redrawn": whole}
    receipt = _receipt(
        new_problem, assignment.seed, assignment.stream, teams, event, assignment.receipt,
        fallback, version=assignment.version, algorithm_version=assignment.algorithm_version,
    )  # fmt: skip
    return attrs.evolve(
        assignment, teams=teams, problem=new_problem, receipts=(*assignment.receipts, receipt)
    )


def cancel(assignment: Assignment, visit_ids: Iterable[str], reason: str) -> Assignment:
    """Drop visits (target deregistered, unreachable, ...); no other team changes.

    Examples:
        >>> from randsupervise.model.sample import sample_inspectors
        >>> vs = [VisitRequest(id=f"V{i}", target=f"T{i}", region="东城镇",
        ...                    departments=["文化市场综合行政执法大队"]) for i in range(3)]
        >>> a = assign(vs, sample_inspectors(), seed=Seed.from_text("demo"), stream="doc")
        >>> b = cancel(a, ["V1"], "target deregistered")
        >>> [t.visit for t in b.teams], b.team("V2") == a.team("V2")
        (['V0', 'V2'], True)
    """
    drop = set(visit_ids)
    known = {t.visit for t in assignment.teams}
    unknown = sorted(drop - known)
    if unknown:
        raise UnknownIdError(unknown, where="assignment")
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationError([Problem(field="reason", message="give the reason for cancelling")])
    problem = attrs.evolve(
        assignment.problem, visits=[v for v in assignment.problem.visits if v.id not in drop]
    )
    teams = tuple(t for t in assignment.teams if t.visit not in drop)
    event = {"kind": "cancel", "visits": sorted(drop), "reason": reason}
    receipt = _receipt(
        problem, assignment.seed, assignment.stream, teams, event, assignment.receipt, False,
        version=assignment.version, algorithm_version=assignment.algorithm_version,
    )  # fmt: skip
    return attrs.evolve(
        assignment, teams=teams, problem=problem, receipts=(*assignment.receipts, receipt)
    )
