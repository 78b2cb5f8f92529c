"""Inspectors and the inspector pool (执法检查人员名录库).

Invariants, each with the rule it comes from:

* The pool holds every official who may inspect, tagged by **qualification**
  (执法资质) and **expertise** (业务专长), and may include other departments' staff for
  joint checks (plan §三(三)). An inspector's *tags* are its qualifications and expertise
  together; sub-pools are cut by department, tag, region, certificate or availability.
* A certified inspector holds a law-enforcement certificate: ``certificate_number`` is a
  non-empty string exactly when ``certified`` is true. Staff without a certificate may
  not inspect on their own (国办 2025 opinion on regulating administrative inspections of
  enterprises), and at least two certified officers take part in each check (《行政处罚法》
  art. 42).
* Experts (``expert=True``) may join a check only on top of the certified quota
  (国发〔2019〕5号), so :attr:`Inspector.counts_toward_quota` is
  ``certified and not expert``.
* Every inspector serves at least one region.
* An inspector may lead a check (主办/主查人) when certified, not an expert, and holding
  the qualification :data:`LEAD_QUALIFICATION` ("主办"): the leader is one of the
  certified officers who count toward the quota, and the qualification lives with the
  others, so the register records it as it records any certificate.
* Ids are unique within a pool; every duplicate is reported. The pool keeps its
  inspectors sorted by id, so iteration, equality and :meth:`InspectorPool.digest` do not
  depend on input order.
* Bad input raises :class:`~randsupervise.errors.ValidationError` listing every problem
  (with its row when built from records); a pool is never half changed:
  :meth:`InspectorPool.with_availability` returns a new pool or raises.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any, ClassVar

import attrs
import numpy as np

from randsupervise._core.display import html_summary, short
from randsupervise._core.validation import (
    as_column,
    bool_problems,
    describe,
    ident_of,
    is_text,
    str_set_problems,
    text_problems,
    to_str_set,
    to_tuple,
)
from randsupervise.errors import Problem, UnknownIdError, ValidationError
from randsupervise.model._validation import (
    CheckedRecord,
    Members,
    records_to_objects,
)

__all__ = ["LEAD_QUALIFICATION", "Inspector", "InspectorPool"]

#: The qualification an inspector holds to lead a check (主办/主查人).
LEAD_QUALIFICATION = "主办"

_QUOTA_RULE = "国发〔2019〕5号"
_CERT_RULE = "国办 2025 opinion: staff without a law-enforcement certificate may not inspect"


def _empty_to_none(value: str | None) -> str | None:
    return None if isinstance(value, str) and value == "" else value


@attrs.frozen(kw_only=True)
class Inspector(CheckedRecord):
    """One person in the inspector register.

    Attributes:
        id: Stable id, unique in the pool.
        name: Display name.
        department: The person's department (joint checks mix departments).
        certified: Holds a law-enforcement certificate (行政执法证).
        certificate_number: The certificate's number; required when ``certified``, must
            be ``None`` or empty otherwise (an empty string is stored as ``None``).
        qualifications: Qualification tags (执法资质), e.g. ``{"网络文化", "娱乐场所"}``.
        expertise: Expertise tags (业务专长).
        regions: Regions the person serves; at least one.
        available: Whether the person can be assigned now (default ``True``).
        expert: An outside or in-house expert (专家); never counts toward the quota of
            certified inspectors.

    Raises:
        ValidationError: with one problem per bad field.

    Examples:
        >>> a = Inspector(id="I-01", name="示例检查员 01", department="执法大队",
        ...               certified=True, certificate_number="ZF-0001",
        ...               qualifications={"网络文化"}, regions={"东城镇"})
        >>> a.counts_toward_quota, sorted(a.tags)
        (True, ['网络文化'])
        >>> Inspector(id="E-01", name="专家", department="局", certified=False,
        ...           expert=True, expertise={"消防"}, regions={"东城镇"}).counts_toward_quota
        False
        >>> Inspector(id="I-02", name="x", department="d", certified=True, regions=set())
        Traceback (most recent call last):
        ...
        randsupervise.errors.ValidationError: inspector: 2 problems:
          id 'I-02', field 'certificate_number': a certified inspector needs a certificate number
          id 'I-02', field 'regions': must name at least one value
    """

    id: str
    name: str
    department: str
    certified: bool
    certificate_number: str | None = attrs.field(default=None, converter=_empty_to_none)
    qualifications: frozenset[str] = attrs.field(default=frozenset(), converter=to_str_set)
    expertise: frozenset[str] = attrs.field(default=frozenset(), converter=to_str_set)
    regions: frozenset[str] = attrs.field(converter=to_str_set)
    available: bool = True
    expert: bool = False

    _what: ClassVar[str] = "inspector"

    def problems(self) -> list[Problem]:
        """Every problem with this inspector's fields (empty for a built inspector)."""
        ident = ident_of(self.id)
        out = text_problems(self.id, "id", ident)
        out += text_problems(self.name, "name", ident)
        out += text_problems(self.department, "department", ident)
        out += bool_problems(self.certified, "certified", ident)
        cert = self.certificate_number
        if cert is not None:
            out += text_problems(cert, "certificate_number", ident)
        if self.certified is True and cert is None:
            out.append(
                Problem(
                    id=ident,
                    field="certificate_number",
                    message="a certified inspector needs a certificate number",
                    rule=_CERT_RULE,
                )
            )
        elif self.certified is False and cert is not None:
            out.append(
                Problem(
                    id=ident,
                    field="certificate_number",
                    message=f"an inspector without a certificate has no certificate number, "
                    f"got {cert!r}",
                    rule=_CERT_RULE,
                )
            )
        out += str_set_problems(self.qualifications, "qualifications", ident)
        out += str_set_problems(self.expertise, "expertise", ident)
        out += str_set_problems(self.regions, "regions", ident, non_empty=True)
        out += bool_problems(self.available, "available", ident)
        out += bool_problems(self.expert, "expert", ident)
        return out

    @property
    def can_lead(self) -> bool:
        """May lead a check (主办): certified, not an expert, qualified ``"主办"``."""
        return self.counts_toward_quota and LEAD_QUALIFICATION in self.qualifications

    @property
    def tags(self) -> frozenset[str]:
        """Qualifications and expertise together."""
        return self.qualifications | self.expertise

    @property
    def counts_toward_quota(self) -> bool:
        """Counts toward the two certified officers a check needs.

        True for certified non-experts: experts join only on top of the quota
        (国发〔2019〕5号) and staff without a certificate may not inspect (国办 2025).
        """
        return self.certified and not self.expert


#: The text criteria of :meth:`InspectorPool.sub_pool`: the values an inspector holds.
_TEXT_CRITERIA: Mapping[str, Callable[[Inspector], Collection[str]]] = {
    "department": lambda p: (p.department,),
    "tag": lambda p: p.tags,
    "region": lambda p: p.regions,
}
#: The flag criteria of :meth:`InspectorPool.sub_pool`: attributes of an inspector.
_FLAG_CRITERIA = ("certified", "available", "counts_toward_quota")


def _meets(inspector: Inspector, criterion: str, value: object) -> bool:
    """Whether ``inspector`` meets one criterion of :meth:`InspectorPool.sub_pool`."""
    if criterion in _TEXT_CRITERIA:
        return value in _TEXT_CRITERIA[criterion](inspector)
    return bool(getattr(inspector, criterion) == value)


@attrs.frozen(kw_only=True)
class InspectorPool(Members[Inspector]):
    """The inspector register, or a sub-pool of it (检查人员名录子库).

    Inspectors are kept sorted by id.

    Attributes:
        inspectors: The inspectors; ids must be unique.

    Raises:
        ValidationError: listing every non-inspector entry and every duplicate id.

    Examples:
        >>> from randsupervise.model.sample import sample_inspectors
        >>> pool = sample_inspectors()
        >>> len(pool), pool.ids[:2]
        (40, ('E-01', 'E-02'))
        >>> fire = pool.sub_pool(tag="消防", certified=True)
        >>> sorted({i.department for i in fire})
        ['消防救援大队']
        >>> pool["X-99"]
        Traceback (most recent call last):
        ...
        randsupervise.errors.UnknownIdError: unknown id(s) in inspector pool: 'X-99'
    """

    inspectors: tuple[Inspector, ...] = attrs.field(converter=to_tuple)
    _spec: ClassVar[tuple[str, type[Any], str, str]] = (
        "inspectors",
        Inspector,
        "inspector",
        "inspector pool",
    )

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]]) -> InspectorPool:
        """Build a pool from plain dicts (as made by :meth:`to_records`).

        Every problem in every record is reported with its 0-based row: unknown or
        missing fields, bad values, duplicate ids.

        Examples:
            >>> rows = [
            ...     {"id": "A", "name": "甲", "department": "d", "certified": True,
            ...      "certificate_number": "C1", "regions": ["东城镇"]},
            ...     {"id": "B", "name": "乙", "department": "d", "certified": "yes",
            ...      "regions": ["东城镇"]},
            ...     {"id": "A", "name": "丙", "department": "d", "certified": False,
            ...      "regions": ["东城镇"], "rank": 3},
            ... ]
            >>> InspectorPool.from_records(rows)
            Traceback (most recent call last):
            ...
            randsupervise.errors.ValidationError: inspector pool: 3 problems:
              row 1, id 'B', field 'certified': must be True or False, got 'yes'
              row 2, id 'A', field 'rank': unknown field
              row 2, id 'A', field 'id': duplicate inspector id (first at row 0)
            >>> len(InspectorPool.from_records(rows[:1]))
            1
        """
        built, problems = records_to_objects(records, Inspector, "inspector")
        if problems:
            raise ValidationError(problems, what="inspector pool")
        return cls(inspectors=built)

    def __repr__(self) -> str:
        ps = self.inspectors
        return (
            f"<InspectorPool {len(ps)} inspectors ({sum(p.certified for p in ps)} certified, "
            f"{sum(p.expert for p in ps)} experts, {sum(not p.available for p in ps)} "
            f"unavailable), departments {short(self.departments)}, digest {self.digest()[:12]}…>"
        )

    def _repr_html_(self) -> str:
        ps = self.inspectors
        cols = ("id", "name", "department", "certified", "expertise", "regions", "available")
        return html_summary(
            "InspectorPool",
            {
                "inspectors": len(ps),
                "certified": sum(p.certified for p in ps),
                "departments": len(self.departments),
                "digest": self.digest()[:16] + "…",
            },
            {c: [getattr(p, c) for p in ps[:5]] for c in cols},
            total=len(ps),
        )

    @property
    def departments(self) -> tuple[str, ...]:
        """The departments present, sorted."""
        return tuple(sorted({p.department for p in self.inspectors}))

    @property
    def tags(self) -> tuple[str, ...]:
        """Every qualification and expertise tag present, sorted."""
        return tuple(sorted(set().union(*(p.tags for p in self.inspectors))))

    @property
    def regions(self) -> tuple[str, ...]:
        """Every region served by someone in the pool, sorted."""
        return tuple(sorted(set().union(*(p.regions for p in self.inspectors))))

    # --- sub-pools --------------------------------------------------------------------------

    def sub_pool(self, **criteria: object) -> InspectorPool:
        """The inspectors matching every given criterion (``None`` means "any").

        The criteria: ``department``, ``tag`` (a qualification or expertise) and ``region``,
        each a text; ``certified``, ``available`` and ``counts_toward_quota``, each a bool.

        Examples:
            >>> from randsupervise.model.sample import sample_inspectors
            >>> pool = sample_inspectors()
            >>> len(pool.sub_pool(region="东城镇", tag="网络文化", counts_toward_quota=True)) >= 2
            True
        """
        for name in criteria:
            if name not in _TEXT_CRITERIA and name not in _FLAG_CRITERIA:
                raise TypeError(f"sub_pool() got an unexpected keyword argument {name!r}")
        given = {
            k: criteria[k]
            for k in (*_TEXT_CRITERIA, *_FLAG_CRITERIA)
            if criteria.get(k) is not None
        }
        problems: list[Problem] = []
        for name, value in given.items():
            if name in _TEXT_CRITERIA:
                problems += text_problems(value, name)
            else:
                problems += bool_problems(value, name, None)
        if problems:
            raise ValidationError(problems, what="sub_pool")
        return InspectorPool(
            inspectors=[
                p for p in self.inspectors if all(_meets(p, k, v) for k, v in given.items())
            ]
        )

    def by_department(self) -> dict[str, InspectorPool]:
        """One sub-pool per department, keys sorted."""
        return {d: self.sub_pool(department=d) for d in self.departments}

    def by_tag(self) -> dict[str, InspectorPool]:
        """One sub-pool per tag (an inspector appears under each of its tags), keys sorted."""
        return {t: self.sub_pool(tag=t) for t in self.tags}

    def with_availability(self, ids: Iterable[str], available: bool) -> InspectorPool:
        """A new pool in which the inspectors ``ids`` have ``available`` set.

        Raises:
            UnknownIdError: naming every id not in the pool; the pool is unchanged.

        Examples:
            >>> from randsupervise.model.sample import sample_inspectors
            >>> pool = sample_inspectors()
            >>> away = pool.with_availability(["Z-01", "Z-02"], False)
            >>> away["Z-01"].available, pool["Z-01"].available
            (False, True)
        """
        col = as_column(ids, "ids", what="with_availability")
        listed = col.tolist() if isinstance(col, np.ndarray) else col
        problems = [
            Problem(row=row, field="ids", message=f"must be an inspector id, got {describe(v)}")
            for row, v in enumerate(listed)
            if not is_text(v)
        ]
        problems += bool_problems(available, "available", None)
        if problems:
            raise ValidationError(problems, what="with_availability")
        wanted = set(listed)
        unknown = sorted(wanted - self._index.keys())
        if unknown:
            raise UnknownIdError(unknown, where="inspector pool")
        return InspectorPool(
            inspectors=[
                attrs.evolve(p, available=available) if p.id in wanted else p
                for p in self.inspectors
            ]
        )

    # --- export -----------------------------------------------------------------------------

    def canonical(self) -> dict[str, Any]:
        """The canonical JSON-able form that :meth:`digest` hashes.

        ``{"format": "randsupervise.inspector-pool", "version": 1, "inspectors":
        [<record>, ...]}`` with the records of :meth:`Inspector.to_record` (sets as
        sorted lists) in id order.
        """
        return {
            "format": "randsupervise.inspector-pool",
            "version": 1,
            "inspectors": self.to_records(),
        }
