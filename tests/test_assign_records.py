"""What the engine builds in bulk equals what the one-by-one rule builds.

* A joint visit's department parts are validated once per distinct shape and copied for
  the other visits: each part equals the request the validated constructor builds.
* The canonical text of visits that differ only in id and target is written once: the
  visits' digest is that of their records.
* The teams' receipt records are built frozen, with their canonical text written once:
  each record equals ``Team.to_record()`` (same keys, same order), and the receipt's
  canonical text and digest are those of the plain records walked element by element.
"""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

from randsupervise._core.canonical import canonical_json, digest, keep_text, sha256_hex
from randsupervise._core.frozen import FrozenDict, FrozenList, freeze, thaw
from randsupervise.assign import (
    AssignmentProblem,
    JointRule,
    VisitRequest,
    assign,
    verify,
    visits_digest,
)
from randsupervise.assign.parts import _split_parts
from randsupervise.assign.phases import Draw, Keep
from randsupervise.model.inspectors import InspectorPool
from randsupervise.tickets.seed import Seed

from assign_helpers import person

SEED = Seed.from_text("test-records")
DEPTS = ("文化", "消防", "市场")


def visits(n: int) -> list[VisitRequest]:
    """``n`` visits: joint ones staffed per department in several shapes (dates, periods,
    experts, department qualifications, larger parts), one-team joint ones and single
    ones."""
    out = []
    for k in range(n):
        joint = k % 3 != 2
        deps = (DEPTS[0], DEPTS[1 + k % 2]) if joint else (DEPTS[0],)
        extra: dict[str, object] = {}
        if joint and k % 6 == 1:
            extra["joint_rule"] = JointRule.ONE_PER_DEPARTMENT
        elif joint and k % 4 == 0:
            extra["department_qualifications"] = {deps[1]: {"q1"}}
        elif joint and k % 5 == 0:
            extra["sub_teams"] = {deps[0]: 3, deps[1]: 2}
        shape = {
            "id": f"V{k:03d}",
            "target": f"T{k % 7}",
            "region": "r",
            "departments": deps,
            "qualifications": {"q0"} if k % 2 else set(),
            "date": dt.date(2024, 5, 1 + k % 3) if k % 3 == 0 else None,
            "period": "2024-05" if k % 8 == 3 else None,
            "experts": 1 if k % 9 == 0 else 0,
            "expert_tags": {"e"} if k % 9 == 0 else set(),
        }
        out.append(VisitRequest(**shape, **extra))  # type: ignore[arg-type]
    return out


def pool() -> InspectorPool:
    people = [
        person(f"{d}-{i}", d, tags={"q0", "q1"} if i % 2 else {"q1"})
        for d in DEPTS
        for i in range(12)
    ]
    experts = [person(f"E-{i}", DEPTS[0], tags={"e"}, certified=False, expert=True)
               for i in range(3)]  # fmt: skip
    return InspectorPool(inspectors=people + experts)


def test_each_department_part_equals_the_request_the_validated_constructor_builds() -> None:
    problem = AssignmentProblem(visits=visits(40), pool=pool())
    units, _ = _split_parts(Draw(problem, SEED, "s"), problem.visits, Keep())
    by_id = {v.id: v for v in problem.visits}
    parts = 0
    for u in units:
        if "\x1f" not in u.id:
            continue
        parts += 1
        v = by_id[u.id.split("\x1f")[0]]
        d = u.departments[0]
        (n, quals) = next((n, q) for dd, n, q in v.parts() if dd == d)
        lead = d == v.departments[0]
        built = VisitRequest(
            id=u.id,
            target=v.target,
            region=v.region,
            departments=(d,),
            qualifications=quals,
            team_size=n,
            date=v.date,
            period=v.period,
            experts=v.experts if lead else 0,
            expert_tags=v.expert_tags if lead else frozenset(),
            qualification_counts=v.qualification_counts if lead else {},
        )
        assert u == built
        assert attrs.asdict(u, recurse=False) == attrs.asdict(built, recurse=False)
        assert u.problems() == []
    assert parts > 20  # most parts were copies of an earlier part's shape


@pytest.mark.parametrize("n", [5, 40])
def test_receipt_records_are_the_teams_records_and_keep_the_walked_text(n: int) -> None:
    problem = AssignmentProblem(visits=visits(n), pool=pool(), load_limits=30)
    a = assign(problem, seed=SEED, stream="records")
    records = a.receipt["teams"]
    assert isinstance(records, FrozenList)
    assert all(isinstance(r, FrozenDict) for r in records)
    plain = [t.to_record() for t in a.teams]
    assert records == plain
    assert [list(r) for r in records] == [list(r) for r in plain]  # key order: readable JSON
    assert canonical_json(records) == canonical_json(plain)
    body = {k: v for k, v in a.receipt.items() if k != "receipt_digest"}
    assert a.receipt["receipt_digest"] == digest(thaw(body))
    assert verify(problem, a.receipts).ok


def test_kept_text_is_the_walked_text_and_a_lone_surrogate_still_refused() -> None:
    rows = [{"visit": f"V{k}", "officers": ["网-1", "b"], "by_department": {"甲": ["x"]}}
            for k in range(20)]  # fmt: skip
    assert canonical_json(keep_text(freeze(rows))) == canonical_json(rows)
    bad = freeze([*rows, {"visit": "\ud800", "officers": []}])
    with pytest.raises(ValueError, match="lone surrogate"):
        canonical_json(keep_text(bad))


def test_visits_digest_is_the_digest_of_the_records_for_every_shape() -> None:
    """The text shared by visits that differ only in id and target is written once; a
    region holding the stand-in of an id is written whole (the digest is the same)."""
    odd = VisitRequest(id="W1", target="T", region="\x00id\x00", departments=("a", "b"))
    vs = [*visits(40), odd]
    vs.append(attrs.evolve(vs[-1], id="W2", target="\x00target\x00"))
    want = sha256_hex(
        {"format": "randsupervise.visit-requests", "version": 1,
         "visits": [v.to_record() for v in sorted(vs, key=lambda v: v.id)]}
    )  # fmt: skip
    assert visits_digest(vs) == want
    assert visits_digest(reversed(vs)) == want
