"""Tests for randsupervise.assign.assignment: guarantees (a)-(d), receipts, replacement.

Statistical tests use fixed seeds (the ticket function is deterministic); each states
the false-positive rate it would have if the seeds were fresh.
"""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from randsupervise.assign import (
    Assignment,
    CancelReason,
    JointRule,
    RegionRule,
    VisitRequest,
    Witness,
    assign,
    cancel,
    receipt_digest,
    replace,
    verify,
)
from randsupervise.assign.assignment import AssignmentProblem
from randsupervise.assign.lawful import _lawful_problems
from randsupervise.errors import InfeasibleAssignment, RandSuperviseError, UnknownIdError
from randsupervise.model.inspectors import Inspector, InspectorPool
from randsupervise.model.sample import SAMPLE_REGIONS, sample_inspectors, sample_target_columns
from randsupervise.tickets.seed import Seed

from assign_helpers import (
    assign_as_brute_force_says,
    fits_load_limits,
    officer_teams,
    person,
    random_problem,
    uniform_counts,
)

SEED = Seed.from_text("test-assign")
TEAM = "文化市场综合行政执法大队"
FIRE = "消防救援大队"
INDUSTRY_TAG = {
    "网吧": "网络文化",
    "娱乐场所": "娱乐场所",
    "旅行社": "旅游",
    "演出场所": "演出",
    "A级旅游景区": "旅游",
    "出版物零售": "出版物",
    "乡村旅游": "旅游",
    "音像制品": "出版物",
    "营业性演出": "演出",
    "文化市场经营行为": "网络文化",
}


def visit(i: str, **kw: object) -> VisitRequest:
    args: dict[str, object] = {"target": f"T-{i}", "region": "r", "departments": ("d",)}
    args.update(kw)
    return VisitRequest(id=i, **args)  # type: ignore[arg-type]


def sample_year(n: int = 400) -> list[VisitRequest]:
    """A year's visits on the sample register: every 10th is joint with fire and rescue."""
    cols = sample_target_columns()
    out = []
    for k in range(n):
        j = (k * 37) % len(cols["id"])
        joint = k % 10 == 0
        tags = {INDUSTRY_TAG[cols["industry"][j]]} | ({"消防"} if joint else set())
        out.append(
            VisitRequest(
                id=f"V{k:04d}",
                target=cols["id"][j],
                region=cols["region"][j],
                departments=(TEAM, FIRE) if joint else (TEAM,),
                qualifications=tags,
                experts=1 if k % 25 == 0 else 0,
                joint_rule=JointRule.ONE_PER_DEPARTMENT,
            )
        )
    return out


@pytest.fixture(scope="module")
def year() -> tuple[list[VisitRequest], InspectorPool, Assignment]:
    visits = sample_year()
    pool = sample_inspectors()
    return visits, pool, assign(visits, pool, seed=SEED, stream="2024/teams")


# --- lawful teams on the sample ------------------------------------------------------------


def test_sample_year_gets_lawful_teams(
    year: tuple[list[VisitRequest], InspectorPool, Assignment],
) -> None:
    visits, pool, a = year
    assert len(a) == len(visits)
    assert _lawful_problems(a.problem, a.teams) == []
    for t in a.teams:
        assert all(pool[m].counts_toward_quota for m in t.officers)
        assert all(pool[m].expert for m in t.experts)
    joint = a.team("V0000")
    assert {pool[m].department for m in joint.officers} == {TEAM, FIRE}
    assert len(a.team("V0025").experts) == 1


def test_unavailable_and_uncertified_never_assigned(
    year: tuple[list[VisitRequest], InspectorPool, Assignment],
) -> None:
    _, _, a = year
    used = {m for t in a.teams for m in t.members}
    assert not used & {"Z-21", "Z-22", "Z-23", "Z-24"}


def test_conflicts_rotation_and_limits_respected() -> None:
    pool = InspectorPool(inspectors=[person(f"I{i}") for i in range(6)])
    visits = [visit(f"V{k}") for k in range(6)]
    conflicts = [("I0", "T-V0"), ("I1", "T-V0")]
    rotation = [("I2", "T-V1")]
    a = assign(
        visits, pool, seed=SEED, stream="s", conflicts=conflicts, rotation=rotation, load_limits=2
    )
    assert not {"I0", "I1"} & set(a.team("V0").officers)
    assert "I2" not in a.team("V1").officers
    assert max(a.loads().values()) <= 2


def test_region_rule_is_applied() -> None:
    pool = InspectorPool(
        inspectors=[
            person("A", regions={"r1"}),
            person("B", regions={"r1"}),
            person("C", regions={"r2"}),
            person("D", regions={"r2"}),
        ]
    )
    v = visit("V", region="r2")
    assert set(assign([v], pool, seed=SEED, stream="s").team("V").officers) == {"C", "D"}
    rule = RegionRule(allowed={"r2": {"r1"}})
    got = assign([v], pool, seed=SEED, stream="s", region_rule=rule).team("V").officers
    assert set(got) == {"A", "B"}


def test_pure_function_of_seed_and_inputs_not_order(
    year: tuple[list[VisitRequest], InspectorPool, Assignment],
) -> None:
    visits, pool, a = year
    again = assign(list(reversed(visits)), pool, seed=SEED, stream="2024/teams")
    assert again.teams == a.teams and again.receipt == a.receipt
    other = assign(visits, pool, seed=Seed.from_text("other"), stream="2024/teams")
    assert other.teams != a.teams


# --- (b) explained failure -------------------------------------------------------------------


def test_qualification_nobody_has_is_named() -> None:
    pool = sample_inspectors()
    v = VisitRequest(
        id="V-x", target="T", region=SAMPLE_REGIONS[0], departments=(TEAM,), qualifications={"潜水"}
    )
    with pytest.raises(InfeasibleAssignment) as exc:
        assign([v], pool, seed=SEED, stream="s")
    w = exc.value.witness
    assert isinstance(exc.value, RandSuperviseError)
    assert isinstance(w, Witness) and w.kind == "visit" and w.visits == ("V-x",)
    assert "qualification '潜水'" in w.reasons[0][1]


def test_missing_department_and_too_few_officers() -> None:
    pool = InspectorPool(inspectors=[person("A"), person("B"), person("C", dept="e")])
    with pytest.raises(InfeasibleAssignment) as exc:
        assign(
            [
                visit("V1", departments=("d", "f"), joint_rule="one_per_department"),
                visit("V2", team_size=3),
            ],
            pool,
            seed=SEED,
            stream="s",
        )
    reasons = dict(exc.value.witness.reasons)
    assert "department 'f'" in reasons["V1"]
    assert "needs 3 eligible officer(s), only 2" in reasons["V2"]


def test_cover_needs_more_than_team_size() -> None:
    pool = InspectorPool(
        inspectors=[person("A", tags={"x"}), person("B", tags={"y"}), person("C", tags={"z"})]
    )
    with pytest.raises(InfeasibleAssignment) as exc:
        assign([visit("V", qualifications={"x", "y", "z"})], pool, seed=SEED, stream="s")
    assert "cannot be covered by 2" in exc.value.witness.reasons[0][1]


def test_hall_violation_witness() -> None:
    pool = InspectorPool(inspectors=[person("A"), person("B"), person("C")])
    visits = [visit(f"V{k}") for k in range(4)]  # 8 places, 3 people x limit 2 = 6
    with pytest.raises(InfeasibleAssignment) as exc:
        assign(visits, pool, seed=SEED, stream="s", load_limits=2)
    w = exc.value.witness
    assert w.kind == "capacity" and w.demand == 8 and w.supply == 6
    assert w.visits == ("V0", "V1", "V2", "V3") and w.inspectors == ("A", "B", "C")
    assert "Hall violation" in str(w)


def test_coverage_capacity_witness() -> None:
    pool = InspectorPool(
        inspectors=[person("A", tags={"x"}), person("B"), person("C"), person("D")]
    )
    visits = [visit("V1", qualifications={"x"}), visit("V2", qualifications={"x"})]
    with pytest.raises(InfeasibleAssignment) as exc:
        assign(visits, pool, seed=SEED, stream="s", load_limits=1)
    w = exc.value.witness
    assert w.kind == "coverage-capacity" and w.requirement == "qualification:x"
    assert (w.demand, w.supply) == (2, 1)


def test_exact_fallback_finds_what_greedy_misses() -> None:
    # the greedy may give the only x-holder to the visit that does not need x; the exact
    # fallback must still staff both
    pool = InspectorPool(
        inspectors=[person("A", tags={"x"}), person("B"), person("C"), person("D")]
    )
    visits = [visit("V1", qualifications={"x"}), visit("V2")]
    for n in range(30):
        a = assign(visits, pool, seed=Seed.from_text(f"s{n}"), stream="s", load_limits=1)
        assert "A" in a.team("V1").officers
        assert _lawful_problems(a.problem, a.teams) == []


# --- (a) complete: exhaustive search on small instances -----------------------------------------


def lawful_exists(problem: AssignmentProblem) -> bool:
    pool = problem.pool
    forbidden = problem.conflicts | problem.rotation
    options = []
    for v in problem.visits:

        def ok(p: Inspector, v: VisitRequest = v) -> bool:
            return (
                p.available
                and problem.region_rule.may_serve(p.regions, v.region)
                and (p.id, v.target) not in forbidden
            )

        offs = [
            p for p in pool if ok(p) and p.counts_toward_quota and p.department in v.departments
        ]
        exps = [p for p in pool if ok(p) and p.expert and v.expert_tags <= p.tags]
        teams = []
        for team in officer_teams(v, offs):
            for ex in itertools.combinations(exps, v.experts):
                teams.append([p.id for p in team + ex])
        if not teams:
            return False
        options.append(teams)
    return fits_load_limits(problem, options)


def joint_fields(draw: st.DrawFn, depts: tuple[str, ...]) -> dict[str, object]:
    """Departments and team size; a joint visit staffed per department (with its parts'
    qualifications) or, less often, as one team with one officer of each department."""
    if len(depts) < 2 or draw(st.integers(0, 2)) == 0:
        return {
            "departments": depts,
            "team_size": draw(st.integers(max(2, len(depts)), 3)),
            "joint_rule": "one_per_department",
        }
    return {
        "departments": depts,
        "sub_teams": {d: draw(st.integers(2, 3)) for d in depts},
        "department_qualifications": {
            d: draw(st.sets(st.sampled_from("xyz"), max_size=1)) for d in depts
        },
    }


@st.composite
def small_problems(draw: st.DrawFn) -> AssignmentProblem:
    n = draw(st.integers(2, 7))
    people = []
    for i in range(n):
        expert = draw(st.booleans()) and draw(st.booleans())
        people.append(
            person(
                f"I{i}",
                dept=draw(st.sampled_from("AB")),
                tags=draw(st.sets(st.sampled_from("xyz"), max_size=2)),
                regions=draw(st.sets(st.sampled_from(["r1", "r2"]), min_size=1)),
                certified=draw(st.booleans()) or (not expert and draw(st.booleans())) or True,
                expert=expert,
                available=draw(st.integers(0, 5)) > 0,
            )
        )
    visits = []
    for k in range(draw(st.integers(1, 4))):
        depts = draw(st.sampled_from([("A",), ("B",), ("A", "B")]))
        visits.append(
            VisitRequest(
                id=f"V{k}",
                target=f"T{draw(st.integers(0, 2))}",
                region=draw(st.sampled_from(["r1", "r2"])),
                **joint_fields(draw, depts),
                qualifications=draw(st.sets(st.sampled_from("xyz"), max_size=2)),
                experts=draw(st.integers(0, 1)),
            )
        )
    return random_problem(draw, people, visits, ["T0", "T1", "T2"], (3, 2, 1, 3))


@given(small_problems(), st.integers(0, 3))
def test_complete_against_exhaustive_search(problem: AssignmentProblem, s: int) -> None:
    a = assign_as_brute_force_says(problem, lawful_exists(problem), Seed.from_text(str(s)), "p")
    if a is not None:
        assert _lawful_problems(problem, a.teams) == []


# --- (c) random ------------------------------------------------------------------------


def chi2(counts: list[int], expected: float) -> float:
    return sum((c - expected) ** 2 / expected for c in counts)


def test_uniform_among_eligible_when_slack() -> None:
    pool = InspectorPool(inspectors=[person(f"I{i}") for i in range(10)])
    runs = 2000
    counts = uniform_counts(visit("V"), pool, runs)
    # each of 10 serves with probability 2/10; chi-square, 9 degrees of freedom: 27.88 is the
    # 99.9% point, so with fresh seeds this would fail 0.1% of the time
    assert chi2(list(counts.values()), runs * 0.2) < 27.88


def test_symmetric_within_qualification_groups() -> None:
    pool = InspectorPool(
        inspectors=[person(f"I{i}", tags={"x"} if i < 3 else set()) for i in range(9)]
    )
    counts = dict.fromkeys(pool.ids, 0)
    runs = 1500
    for n in range(runs):
        team = assign(
            [visit("V", qualifications={"x"})], pool, seed=Seed.from_text(f"q{n}"), stream="s"
        ).team("V")
        for m in team.officers:
            counts[m] += 1
    holders = [counts[f"I{i}"] for i in range(3)]
    others = [counts[f"I{i}"] for i in range(3, 9)]
    # chi-square within each group (2 and 5 degrees of freedom, 99.9% points 13.82 and
    # 20.52): false-positive rate below 0.2% with fresh seeds
    assert chi2(holders, sum(holders) / 3) < 13.82
    assert chi2(others, sum(others) / 6) < 20.52
    assert sum(holders) >= runs  # every team has an x-holder


# --- (d) fair load ---------------------------------------------------------------------


@given(st.integers(1, 60), st.integers(3, 9), st.integers(0, 5))
def test_loads_differ_by_at_most_one_among_identical(n_visits: int, n_people: int, s: int) -> None:
    people = [person(f"A{i}", tags={"x"}) for i in range(n_people)]
    people += [person(f"B{i}", dept="e") for i in range(3)]
    visits = [
        visit(
            f"V{k}",
            qualifications={"x"} if k % 3 else set(),
            departments=("d", "e") if k % 4 == 0 else ("d",),
            joint_rule="one_per_department",
        )
        for k in range(n_visits)
    ]
    a = assign(visits, InspectorPool(inspectors=people), seed=Seed.from_text(str(s)), stream="f")
    loads = a.loads()
    for group in ("A", "B"):
        g = [n for m, n in loads.items() if m.startswith(group)]
        assert max(g) - min(g) <= 1


def test_sample_loads_are_even_within_identical_groups(
    year: tuple[list[VisitRequest], InspectorPool, Assignment],
) -> None:
    _, pool, a = year
    loads = a.loads()
    groups: dict[tuple[object, ...], list[int]] = {}
    for p in pool:
        if p.available and p.counts_toward_quota:
            groups.setdefault((p.department, p.tags, p.regions), []).append(loads[p.id])
    assert all(max(g) - min(g) <= 1 for g in groups.values())
    assert math.isclose(sum(loads.values()), 2 * 400 + 16)


# --- receipts, verify, replacement, cancellation ----------------------------------------------


def test_receipt_is_json_and_verifies(
    year: tuple[list[VisitRequest], InspectorPool, Assignment],
) -> None:
    import json

    visits, pool, a = year
    r = json.loads(json.dumps(a.receipt))
    assert r["seed"] == SEED.hex and r["stream"] == "2024/teams" and r["previous"] is None
    assert r["inputs"]["pool"] == pool.digest()
    problem = AssignmentProblem(visits=visits, pool=pool)
    assert verify(problem, r).ok
    r["teams"][3]["officers"] = ["Z-01", "Z-02"]
    bad = verify(problem, r)
    assert not bad.ok
    assert a.teams[3].visit == "V0003"
    assert "teams[3].officers" in {d.path for d in bad.differences}


def test_replace_changes_only_affected_teams(
    year: tuple[list[VisitRequest], InspectorPool, Assignment],
) -> None:
    visits, pool, a = year
    gone = a.team("V0007").officers[0]
    b = replace(a, [gone])
    for old, new in zip(a.teams, b.teams, strict=True):
        if gone in old.members:
            assert gone not in new.members
            kept = set(old.officers) - {gone}
            assert kept <= set(new.officers)
        else:
            assert old == new
    assert _lawful_problems(b.problem, b.teams) == []
    assert b.receipt["previous"] == receipt_digest(a.receipt)
    assert b.receipt["event"]["stream"] == "2024/teams/replace/1"
    c = cancel(b, ["V0001"], CancelReason.DEREGISTERED)
    problem = AssignmentProblem(visits=visits, pool=pool)
    assert verify(problem, c.receipts).ok
    assert not verify(problem, c.receipts[1:]).ok


def test_replace_redraws_whole_team_when_needed() -> None:
    # B is the only x-holder besides A; when A leaves, C cannot cover x, so the team is redrawn
    pool = InspectorPool(inspectors=[person("A", tags={"x"}), person("B", tags={"x"}), person("C")])
    a = assign([visit("V", qualifications={"x"})], pool, seed=SEED, stream="s")
    gone = next(m for m in a.team("V").officers if m in ("A", "B"))
    other = "B" if gone == "A" else "A"
    b = replace(a, [gone])
    assert set(b.team("V").officers) in ({other, "C"},)
    with pytest.raises(InfeasibleAssignment):
        replace(b, [other])


def test_replace_redraws_only_the_team_that_cannot_keep_its_members() -> None:
    # G holds q1 and q2 and sits on both teams. Without G, X keeps P5, whose one free place
    # nobody left can fill with both q1 and q2: X is drawn anew (H1 + H2). Y is a plain
    # team of three: it keeps P2 and P4 and draws one more.
    pool = InspectorPool(
        inspectors=[person("G", tags={"q1", "q2"}), person("H1", tags={"q1"}),
                    person("H2", tags={"q2"})] + [person(f"P{i}") for i in range(1, 7)]
    )  # fmt: skip
    visits = [visit("X", qualifications={"q1", "q2"}), visit("Y", team_size=3)]
    seed = Seed.from_text("replace-2")  # a seed under which G is on both teams
    a = assign(visits, pool, seed=seed, stream="s")
    assert a.team("X").officers == ("G", "P5") and a.team("Y").officers == ("G", "P2", "P4")
    b = replace(a, ["G"])
    assert b.team("X").officers == ("H1", "H2")
    assert {"P2", "P4"} < set(b.team("Y").officers) and "G" not in b.team("Y").officers
    assert b.receipt["event"]["whole_teams_redrawn"]
    assert _lawful_problems(b.problem, b.teams) == []
    assert verify(AssignmentProblem(visits=visits, pool=pool), b.receipts).ok


def test_replace_unknown_id_and_cancel_unknown_visit(
    year: tuple[list[VisitRequest], InspectorPool, Assignment],
) -> None:
    _, _, a = year
    with pytest.raises(UnknownIdError):
        replace(a, ["nobody"])
    with pytest.raises(UnknownIdError):
        cancel(a, ["V-none"], CancelReason.DEREGISTERED)


def test_cancel_takes_a_reason_of_the_lifecycle_and_records_its_value(
    year: tuple[list[VisitRequest], InspectorPool, Assignment],
) -> None:
    from randsupervise.cycle import CancelReason as LifecycleReason
    from randsupervise.errors import ValidationError

    visits, pool, a = year
    assert LifecycleReason is CancelReason
    gone = a.teams[0].visit
    for reason in CancelReason:
        b = cancel(a, [gone], reason)
        assert b.receipt["event"]["reason"] == reason.value
        assert cancel(a, [gone], reason.value).receipt == b.receipt
    assert verify(AssignmentProblem(visits=visits, pool=pool), b.receipts).ok
    for text in ("target deregistered", "", "unreachable", None):
        with pytest.raises(ValidationError, match="CancelReason"):
            cancel(a, [gone], text)  # type: ignore[arg-type]


def test_assign_takes_a_problem_or_its_inputs() -> None:
    from randsupervise.errors import ValidationError
    from randsupervise.model import sample_inspectors

    pool = sample_inspectors()
    v = VisitRequest(id="V1", target="T1", region="东城镇", departments=[TEAM])
    problem = AssignmentProblem(visits=[v], pool=pool, conflicts=[("Z-01", "T1")], load_limits=2)
    by_problem = assign(problem, seed="p", stream="s")
    by_inputs = assign([v], pool, seed="p", stream="s", **problem.options())
    assert by_problem.teams == by_inputs.teams and by_problem.receipt == by_inputs.receipt
    with pytest.raises(ValidationError, match="AssignmentProblem already holds"):
        assign(problem, pool, seed="p", stream="s")  # type: ignore[call-arg]


def test_assign_accepts_public_textas_seed_like_draw() -> None:
    from randsupervise.assign import VisitRequest, assign
    from randsupervise.draw import Seed
    from randsupervise.model import sample_inspectors

    pool = sample_inspectors()
    v = VisitRequest(
        id="V1", target="T1", region="东城镇", departments=["文化市场综合行政执法大队"]
    )
    by_text = assign([v], pool, seed="public text", stream="s")
    by_seed = assign([v], pool, seed=Seed.from_text("public text"), stream="s")
    assert by_text.team("V1") == by_seed.team("V1")
    assert by_text.receipts == by_seed.receipts


def test_assign_refuses_a_seed_that_is_neither_seed_nor_text() -> None:
    """As draw() does: a ValidationError naming the field, not an AttributeError later."""
    from randsupervise.errors import ValidationError

    v = VisitRequest(
        id="V1", target="T1", region="东城镇", departments=["文化市场综合行政执法大队"]
    )
    with pytest.raises(ValidationError) as e:
        assign([v], sample_inspectors(), seed=b"\x00" * 32, stream="s")  # type: ignore[arg-type]
    assert e.value.problems[0].field == "seed"


def test_problem_without_a_region_rule_takes_the_default() -> None:
    pool = sample_inspectors()
    v = VisitRequest(
        id="V1", target="T1", region="东城镇", departments=["文化市场综合行政执法大队"]
    )
    bare = AssignmentProblem(visits=[v], pool=pool, region_rule=None)
    assert bare.region_rule == RegionRule()
    assert bare.digests() == AssignmentProblem(visits=[v], pool=pool).digests()


def test_team_lookup_finds_every_visit_after_replace_and_cancel() -> None:
    from randsupervise.assign import VisitRequest, assign, cancel, replace
    from randsupervise.model import sample_inspectors

    pool = sample_inspectors()
    visits = [
        VisitRequest(
            id=f"V{k:02d}",
            target=f"T{k}",
            region="东城镇",
            departments=["文化市场综合行政执法大队"],
        )
        for k in (7, 3, 11, 1, 5)
    ]
    a = assign(visits, pool, seed="lookup", stream="s")
    gone = a.team("V03").officers[0]
    for b in (a, replace(a, [gone]), cancel(a, ["V05"], CancelReason.MOVED_OUT)):
        assert [t.visit for t in b.teams] == sorted(t.visit for t in b.teams)
        for t in b.teams:
            assert b.team(t.visit) is t
