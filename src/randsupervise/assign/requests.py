"""Visit requests and the fixed team rules of an inspection.

Invariants, each with the rule it comes from:

* A visit (one trip to one target, 进一次门、查多项事) is carried out by ``team_size``
  officers who count toward the quota: certified, not experts. ``team_size`` is at
  least **2** (《行政处罚法》 art. 42: at least two law-enforcement officers holding
  certificates; staff without a certificate may not inspect, 国办 2025 opinion on
  regulating administrative inspections of enterprises).
* A visit names its departments, the lead first. Officers come from those departments.
* A **joint visit** (two or more departments, 部门联合抽查) is by default staffed
  **per department** (:attr:`JointRule.PER_DEPARTMENT`): each department draws its own
  officers from its own pool ("与配合部门分别抽取各自的执法检查人员", county joint
  inspection plans; plan §三(五); 国发〔2019〕5号), and each department's part is itself a
  lawful team: ``sub_teams[d] >= 2`` certified officers of department ``d`` holding
  ``department_qualifications[d]`` (the lead's part also holds ``qualifications``);
  ``team_size`` is the sum of the parts. :attr:`JointRule.ONE_PER_DEPARTMENT` is the
  earlier form (one team of ``team_size >= len(departments)`` with one officer of each
  department), kept so that receipts of assignment algorithm version 1 keep verifying; it
  is used only when asked for.
* Every required qualification is held (as a qualification or an expertise tag, see
  :attr:`randsupervise.model.inspectors.Inspector.tags`) by at least one officer of the
  team. Experts never satisfy it: they join only on top of the quota (国发〔2019〕5号).
* ``leader=True``: one officer of the lead department leads the check (主办/主查人); the
  lead department's officers (its part, for a joint visit staffed per department) then
  include one who may lead (:attr:`~randsupervise.model.inspectors.Inspector.can_lead`),
  so the lead part requires the qualification ``"主办"``; the leader is drawn among them on
  a stream of its own. A joint visit in the one-team form cannot ask for a leader.
* ``date``, when given, is the day of the inspection: an officer whose law-enforcement
  certificate has expired by then, or anyone unavailable that day, cannot be drawn for it
  (the problem's ``certificates_valid_until`` and ``unavailable_days``).
* ``experts`` extra places may be filled by inspectors with ``expert=True``; each of
  them holds every tag in ``expert_tags``. They never count toward ``team_size``.
* Bad input raises :class:`~randsupervise.errors.ValidationError` listing every problem.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from randsupervise._core.validation import (
    bool_problems,
    date_problems,
    int_problems,
    to_int,
    to_str_set,
    to_tuple,
    wrong_type,
)
from randsupervise.errors import Problem, ValidationError
from randsupervise.model.inspectors import LEAD_QUALIFICATION

__all__ = ["MIN_TEAM_SIZE", "JointRule", "RegionRule", "VisitRequest"]

#: At least two certified officers per check (《行政处罚法》 art. 42).
MIN_TEAM_SIZE = 2
_TEAM_RULE = "《行政处罚法》 art. 42"
_JOINT_RULE = "joint check: one certified officer of each department"
_PER_DEPARTMENT_RULE = (
    "joint check: each department draws its own lawful part (与配合部门分别抽取各自的执法检查人员)"
)
#: Separates a visit id from a department in the ids of a joint visit's parts (an
#: assignment problem refuses visit ids holding it).
UNIT_SEPARATOR = "\x1f"


class JointRule(str, enum.Enum):
    """How a joint visit (two or more departments) is staffed.

    Examples:
        >>> JointRule("per_department") is JointRule.PER_DEPARTMENT
        True
    """

    #: Each department draws its own part of ``sub_teams[d] >= 2`` officers (the default).
    PER_DEPARTMENT = "per_department"
    #: One team with one officer of each department (assignment algorithm version 1).
    ONE_PER_DEPARTMENT = "one_per_department"


def _joint_rule(value: Any) -> Any:
    try:
        return JointRule(value)
    except ValueError:
        return value  # refused by the checks, with the others


def _per_department(self: VisitRequest) -> bool:
    return (
        self.joint_rule is JointRule.PER_DEPARTMENT
        and isinstance(self.departments, tuple)
        and len(self.departments) >= 2
    )


def _cached_parts(
    v: VisitRequest, cache: dict[tuple[Any, ...], tuple[tuple[str, int, frozenset[str]], ...]]
) -> tuple[tuple[str, int, frozenset[str]], ...]:
    """``v.parts()``, computed once per distinct value of the fields it reads (kept in
    ``cache``): the joint rule, departments, sub-teams, department qualifications,
    qualifications and leader."""
    if len(v.departments) < 2:  # one department: never staffed per department
        return ()
    key = (
        v.joint_rule,
        v.departments,
        v.sub_teams,
        v.department_qualifications,
        v.qualifications,
        v.leader,
    )
    out = cache.get(key)
    if out is None:
        out = cache[key] = v.parts()
    return out


def _default_sub_teams(self: VisitRequest) -> tuple[tuple[str, int], ...]:
    if not _per_department(self):
        return ()
    return tuple((d, MIN_TEAM_SIZE) for d in self.departments)


def _default_team_size(self: VisitRequest) -> int:
    if _per_department(self) and isinstance(self.sub_teams, tuple):
        sizes = [n for _, n in self.sub_teams if isinstance(n, int)]
        return sum(sizes) if sizes else MIN_TEAM_SIZE
    return MIN_TEAM_SIZE


def _to_date(value: Any) -> Any:
    """An ISO date text (as :meth:`VisitRequest.to_record` writes it) read as a date."""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value  # refused by the checks
    return value


def _to_pairs(value: Any) -> Any:
    """A mapping (or pairs) as a tuple of (key, value) pairs sorted by key (a collection
    value as a set of str, see :func:`~randsupervise._core.validation.to_str_set`)."""
    if isinstance(value, Mapping):
        value = value.items()
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        return value
    try:
        pairs = [tuple(p) for p in value]
    except TypeError:
        return value
    if not all(len(p) == 2 for p in pairs):
        return value
    return tuple(sorted(((k, to_str_set(v)) for k, v in pairs), key=lambda p: repr(p[0])))


def _to_counts(value: Any) -> Any:
    """A mapping of qualification -> holders as pairs sorted by qualification."""
    return tuple(sorted(value.items(), key=repr)) if isinstance(value, Mapping) else value


def _text(value: object, field: str, ident: str | None) -> list[Problem]:
    """Problems with a name (an id, a region, a department, a tag): a non-empty str
    without outer spaces (a tag with them would never match an inspector's). Unlike
    :func:`~randsupervise._core.validation.text_problems`, any other character is kept:
    receipts already record such names."""
    if isinstance(value, str) and value.strip() and value == value.strip():
        return []
    return [wrong_type(value, field, "a non-empty trimmed str", id=ident)]


def _strs(value: object, field: str, ident: str | None) -> list[Problem]:
    """Problems with a collection of names: each as :func:`_text` accepts it."""
    if not isinstance(value, frozenset | tuple):
        return [wrong_type(value, field, "a collection of str", id=ident)]
    return [p for v in sorted(value, key=repr) for p in _text(v, field, ident)]


def _below(n: object, least: int) -> bool:
    """``n`` is not a whole number (an ``int``, not a bool) of at least ``least``."""
    return not isinstance(n, int) or isinstance(n, bool) or n < least


@attrs.frozen(kw_only=True)
class VisitRequest:
    """One visit that needs a team.

    Attributes:
        id: Stable id of the visit (unique in a batch).
        target: Id of the target visited (used for recusal and rotation).
        region: Region of the target.
        departments: Participating departments, the lead first; two or more make a joint
            visit. Officers are drawn from these departments only.
        qualifications: Tags that at least one officer of the team must hold (of a joint
            visit staffed per department: of the lead department's part).
        joint_rule: How a joint visit is staffed (:class:`JointRule`; default per
            department; ignored for a visit of one department).
        sub_teams: Per department of a joint visit staffed per department, the officers
            of its part (each at least 2; default 2 each), as a mapping.
        department_qualifications: Per department, tags that at least one officer of
            that department's part must hold (joint visits staffed per department).
        qualification_counts: Qualification -> officers that must hold it (default 1),
            for qualifications of ``qualifications``; a mapping.
        team_size: Number of certified officers (default and minimum 2; of a joint visit
            staffed per department, the sum of ``sub_teams``).
        experts: Number of expert places on top of the officers (default 0).
        expert_tags: Tags every expert of this visit must hold.
        leader: Draw a team leader (主办/主查人) from the lead department (default no).
        date: The day of the inspection (``datetime.date``), for certificate validity and
            unavailable days; ``None`` (default) when not planned to the day.
        period: The period (a month ``"2024-05"``, a batch id) whose load limits the visit
            counts toward; ``None``: the month of ``date``, if any.

    Raises:
        ValidationError: one problem per bad field.

    Examples:
        >>> v = VisitRequest(id="V1", target="T1", region="东城镇",
        ...                  departments=("文化市场综合行政执法大队", "消防救援大队"),
        ...                  qualifications={"网络文化", "消防"})
        >>> v.is_joint, v.team_size, dict(v.sub_teams)
        (True, 4, {'文化市场综合行政执法大队': 2, '消防救援大队': 2})
        >>> VisitRequest(id="V2", target="T1", region="东城镇", departments=("d",), team_size=1)
        Traceback (most recent call last):
        ...
        randsupervise.errors.ValidationError: visit request: id 'V2', field 'team_size': ...
    """

    id: str
    target: str
    region: str
    departments: tuple[str, ...] = attrs.field(converter=to_tuple)
    qualifications: frozenset[str] = attrs.field(default=frozenset(), converter=to_str_set)
    joint_rule: JointRule = attrs.field(default=JointRule.PER_DEPARTMENT, converter=_joint_rule)
    sub_teams: tuple[tuple[str, int], ...] = attrs.field(
        default=attrs.Factory(_default_sub_teams, takes_self=True), converter=_to_pairs
    )
    department_qualifications: tuple[tuple[str, frozenset[str]], ...] = attrs.field(
        default=(), converter=_to_pairs
    )
    team_size: int = attrs.field(
        default=attrs.Factory(_default_team_size, takes_self=True), converter=to_int
    )
    qualification_counts: tuple[tuple[str, int], ...] = attrs.field(
        default=(), converter=_to_counts
    )
    experts: int = attrs.field(default=0, converter=to_int)
    expert_tags: frozenset[str] = attrs.field(default=frozenset(), converter=to_str_set)
    leader: bool = False
    date: dt.date | None = attrs.field(default=None, converter=_to_date)
    period: str | None = None

    def __attrs_post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise ValidationError(problems, what="visit request")

    def problems(self) -> list[Problem]:
        """Every problem with the fields (empty for a built request)."""
        ident = self.id if isinstance(self.id, str) and self.id.strip() else None
        out = [p for f in ("id", "target", "region") for p in _text(getattr(self, f), f, ident)]
        dep_problems = _strs(self.departments, "departments", ident)
        out += dep_problems
        if not dep_problems and not self.departments:
            message = "name at least the lead department"
            out.append(Problem(id=ident, field="departments", message=message))
        elif not dep_problems and len(set(self.departments)) != len(self.departments):
            out.append(
                Problem(id=ident, field="departments", message="a department is named twice")
            )
        out += _strs(self.qualifications, "qualifications", ident)
        out += _strs(self.expert_tags, "expert_tags", ident)
        joint_problems = self._joint_problems(ident, not dep_problems)
        out += joint_problems
        if not joint_problems:
            out += self._team_size_problems(ident, not dep_problems)
        out += self._leader_problems(ident)
        if not out:
            out += self._count_problems(ident)
        if self.date is not None:
            out += date_problems(self.date, "date", ident)
        out += [] if self.period is None else _text(self.period, "period", ident)
        return out + int_problems(self.experts, "experts", ident, min_value=0)

    def _team_size_problems(self, ident: str | None, depts_ok: bool) -> list[Problem]:
        """The officers of a visit: the sum of its parts (a joint visit staffed per
        department), else at least two, and at least one per department (the one-team
        form); the first rule that fails."""
        ts = self.team_size
        if self.per_department and depts_ok:
            want = sum(n for _, n in self.sub_teams)
            if ts == want:
                return []
            rule, message = (
                _PER_DEPARTMENT_RULE,
                (
                    f"the departments' parts add up to {want} officers, got {ts!r} (pass "
                    "joint_rule='one_per_department' for one team with one officer of each "
                    "department)"
                ),
            )
        elif _below(ts, MIN_TEAM_SIZE):
            rule = _TEAM_RULE
            message = f"at least {MIN_TEAM_SIZE} certified officers per visit, got {ts!r}"
        elif depts_ok and ts < len(self.departments):
            n = len(self.departments)
            rule, message = _JOINT_RULE, f"{n} departments need at least {n} officers, got {ts}"
        else:
            return []
        return [Problem(id=ident, field="team_size", rule=rule, message=message)]

    def _count_problems(self, ident: str | None) -> list[Problem]:
        """Each count names a qualification of the visit and is 1 to the officers of the
        part that holds it (the lead department's, staffed per department)."""
        counts = self.qualification_counts
        if not isinstance(counts, tuple) or not all(isinstance(p, tuple) for p in counts):
            return [wrong_type(counts, "qualification_counts", "a mapping", id=ident)]
        room = dict(self.sub_teams)[self.departments[0]] if self.per_department else self.team_size
        return [
            Problem(id=ident, field="qualification_counts", message=f"{q!r}: holders of a "
                    f"qualification of the visit, 1 to {room}, got {n!r}")
            for q, n in counts
            if q not in self.qualifications or _below(n, 1) or n > room
        ]  # fmt: skip

    def period_label(self) -> str | None:
        """The period the visit counts toward: ``period``, else the month of ``date``."""
        return self.period or (None if self.date is None else self.date.strftime("%Y-%m"))

    def holders(self, qualification: str) -> int:
        """Officers that must hold ``qualification`` (``qualification_counts``, else 1)."""
        return dict(self.qualification_counts).get(qualification, 1)

    def _leader_problems(self, ident: str | None) -> list[Problem]:
        """A bool; a joint visit asks for a leader only when staffed per department."""
        if not isinstance(self.leader, bool):
            return bool_problems(self.leader, "leader", ident)
        one_team = (
            isinstance(self.departments, tuple)
            and len(self.departments) >= 2
            and not self.per_department
        )
        if self.leader and one_team:
            return [
                Problem(
                    id=ident,
                    field="leader",
                    message="a leader is drawn from the lead department's own part: staff the "
                    "joint visit per department",
                )
            ]
        return []

    def _joint_problems(self, ident: str | None, depts_ok: bool) -> list[Problem]:
        """Problems with ``joint_rule``, ``sub_teams`` and ``department_qualifications``."""
        out: list[Problem] = []
        if not isinstance(self.joint_rule, JointRule):
            message = f"one of {[r.value for r in JointRule]}, got {self.joint_rule!r}"
            return [Problem(id=ident, field="joint_rule", message=message)]
        for field, pairs in (
            ("sub_teams", self.sub_teams),
            ("department_qualifications", self.department_qualifications),
        ):
            if not isinstance(pairs, tuple):
                out.append(wrong_type(pairs, field, "a mapping", id=ident))
                continue
            if not depts_ok:
                continue
            if pairs and not self.per_department:
                message = "only for a joint visit staffed per department"
                out.append(Problem(id=ident, field=field, message=message))
                continue
            stray = sorted(str(k) for k, _ in pairs if k not in self.departments)
            if stray:
                out.append(
                    Problem(id=ident, field=field, message=f"departments not of the visit: {stray}")
                )
            if field == "department_qualifications":
                out += [p for _, q in pairs for p in _strs(q, field, ident)]
        if out or not depts_ok or not self.per_department:
            return out
        named = {d for d, _ in self.sub_teams}
        if named != set(self.departments):
            message, rule = "name every department of the visit", _PER_DEPARTMENT_RULE
            out.append(Problem(id=ident, field="sub_teams", rule=rule, message=message))
        for d, n in self.sub_teams:
            if _below(n, MIN_TEAM_SIZE):
                out.append(
                    Problem(
                        id=ident,
                        field="sub_teams",
                        rule=f"{_PER_DEPARTMENT_RULE}; {_TEAM_RULE}",
                        message=f"department {d!r}: at least {MIN_TEAM_SIZE} certified "
                        f"officers, got {n!r}",
                    )
                )
        return out

    def lead_requirements(self) -> frozenset[str]:
        """Tags the lead department's officers must hold: ``qualifications``, and the lead
        qualification (主办) when a leader is drawn."""
        return self.qualifications | ({LEAD_QUALIFICATION} if self.leader else frozenset())

    @property
    def is_joint(self) -> bool:
        """Two or more departments take part (联合抽查)."""
        return len(self.departments) >= 2

    @property
    def per_department(self) -> bool:
        """A joint visit whose departments each draw their own part (:class:`JointRule`)."""
        return _per_department(self)

    def parts(self) -> tuple[tuple[str, int, frozenset[str]], ...]:
        """Per department of a joint visit staffed per department, in the visit's order:
        (department, officers of its part, tags its part must hold); empty otherwise.

        Examples:
            >>> v = VisitRequest(id="V", target="T", region="r", departments=("a", "b"),
            ...                  qualifications={"q"}, sub_teams={"a": 3, "b": 2},
            ...                  department_qualifications={"b": {"消防"}})
            >>> [(d, n, sorted(q)) for d, n, q in v.parts()]
            [('a', 3, ['q']), ('b', 2, ['消防'])]
        """
        if not self.per_department:
            return ()
        sizes = dict(self.sub_teams)
        quals = dict(self.department_qualifications)
        lead = self.departments[0]
        return tuple(
            (
                d,
                sizes[d],
                frozenset(quals.get(d, frozenset()))
                | (self.lead_requirements() if d == lead else frozenset()),
            )
            for d in self.departments
        )

    def to_record(self) -> dict[str, Any]:
        """The request as plain JSON-able data (sets as sorted lists). A joint visit staffed
        per department also records its rule, its parts' sizes and qualifications."""
        out: dict[str, Any] = {
            "id": self.id,
            "target": self.target,
            "region": self.region,
            "departments": list(self.departments),
            "qualifications": sorted(self.qualifications),
            "team_size": self.team_size,
            "experts": self.experts,
            "expert_tags": sorted(self.expert_tags),
        }
        if self.leader:
            out["leader"] = True
        if self.qualification_counts:
            out["qualification_counts"] = dict(self.qualification_counts)
        if self.date is not None:
            out["date"] = self.date.isoformat()
        if self.period is not None:
            out["period"] = self.period
        if self.per_department:
            out["joint_rule"] = self.joint_rule.value
            out["sub_teams"] = dict(self.sub_teams)
            out["department_qualifications"] = {
                d: sorted(q) for d, q in self.department_qualifications
            }
        return out


def _to_allowed(value: Any) -> Any:
    """A mapping of region -> regions, each a set of str (anything else kept for the
    checks)."""
    if not isinstance(value, Mapping):
        return value
    return {k: to_str_set(v) for k, v in value.items()}


@attrs.frozen(kw_only=True)
class RegionRule:
    """Which inspectors may serve a target's region.

    An inspector may serve a target in region ``r`` when one of the inspector's regions
    is in ``allowed(r)``: by default ``{r}`` itself (an inspector serves targets of their
    own regions); ``serves_any=True`` lifts the rule; ``allowed`` maps a target region to
    the full set of inspector regions that may serve it (regions not named keep the
    default). Two more rules, each off by default:

    * ``county_wide``: a region name (e.g. ``"全县"``) that stands for every region: an
      inspector holding it may serve a target anywhere (county staff).
    * ``exclude_home`` (异地交叉检查, cross-region checks): nobody serves a target in one of
      their own regions, also when they serve several regions (a county-wide inspector has
      no home township). Combine it with ``allowed`` or ``serves_any``, which say who may
      come from elsewhere.

    Raises:
        ValidationError: ``serves_any``/``exclude_home`` not a bool, or a region that is
            not text (every problem listed).

    Examples:
        >>> rule = RegionRule(allowed={"南山乡": {"南山乡", "青松乡"}})
        >>> qs = frozenset({"青松乡"})
        >>> rule.may_serve(qs, "南山乡"), rule.may_serve(qs, "东城镇")
        (True, False)
        >>> RegionRule(serves_any=True).may_serve(frozenset({"x"}), "y")
        True

        Cross-region checks: an officer of 南山乡 and 青松乡 serves neither of them.

        >>> cross = RegionRule(serves_any=True, exclude_home=True, county_wide="全县")
        >>> both = frozenset({"南山乡", "青松乡"})
        >>> cross.may_serve(both, "南山乡"), cross.may_serve(both, "东城镇")
        (False, True)
        >>> cross.may_serve(frozenset({"全县"}), "南山乡")
        True
    """

    serves_any: bool = False
    allowed: Mapping[str, frozenset[str]] = attrs.field(factory=dict, converter=_to_allowed)
    county_wide: str | None = None
    exclude_home: bool = False

    def __attrs_post_init__(self) -> None:
        problems = bool_problems(self.serves_any, "serves_any")
        problems += bool_problems(self.exclude_home, "exclude_home")
        if self.county_wide is not None:
            problems += _text(self.county_wide, "county_wide", None)
        if not isinstance(self.allowed, Mapping):
            problems.append(wrong_type(self.allowed, "allowed", "a mapping of region to regions"))
        else:
            for region, regions in self.allowed.items():
                problems += _text(region, "allowed", None) + _strs(regions, "allowed", region)
        if problems:
            raise ValidationError(problems, what="region rule")

    def allowed_for(self, region: str) -> frozenset[str]:
        """Inspector regions that may serve a target in ``region``."""
        return self.allowed.get(region, frozenset({region}))

    def may_serve(self, inspector_regions: frozenset[str], region: str) -> bool:
        """Whether an inspector with ``inspector_regions`` may serve ``region``."""
        if self.exclude_home and region in inspector_regions:
            return False
        if self.county_wide is not None and self.county_wide in inspector_regions:
            return True
        return self.serves_any or bool(inspector_regions & self.allowed_for(region))

    def canonical(self) -> dict[str, Any]:
        """Plain JSON-able form (for receipts)."""
        out: dict[str, Any] = {
            "serves_any": self.serves_any,
            "allowed": {k: sorted(v) for k, v in sorted(self.allowed.items())},
        }
        # written only when set: receipts of rules without them keep their digests
        if self.county_wide is not None:
            out["county_wide"] = self.county_wide
        if self.exclude_home:
            out["exclude_home"] = True
        return out
