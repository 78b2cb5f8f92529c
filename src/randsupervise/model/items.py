"""Inspection items and the item list (随机抽查事项清单).

Invariants, each with the rule it comes from:

* Every item is a **key item** (重点检查事项) or a **general item** (一般检查事项).
  A key item covers safety, quality or public interest and its sampling ratio has **no
  upper cap**; a general item covers ordinary supervision and its ratio **must** have an
  upper cap set by the regulator (plan §三(二): "重点检查事项……抽查比例不设上限……一般
  检查事项……抽查比例应根据监管实际情况设置上限"). So ``ratio_cap`` is required and in
  ``(0, 1]`` for :attr:`ItemKind.GENERAL` and must be ``None`` for :attr:`ItemKind.KEY`.
* Every item states its legal basis, content and method (plan §三(四): 抽取原则、检查方法、
  检查内容), so those texts are required and non-empty.
* An item applies to one or more kinds of target: enterprises, sole traders, farmer
  co-operatives, other entities, and the non-market kinds products, projects and conduct
  (plan §三(三)). Kinds are stored as the string values of ``TargetKind``.
* The same item is carried out on the same target at most ``yearly_frequency_limit``
  times a year, by default once ("in principle at most once a year", MIIT rules on
  random inspection); the limit is at least 1.
* Item ids are unique within a list; every duplicate is reported, not only the first.
* The number of key items is kept under control (plan §三(二): "严格控制重点检查事项的
  数量"): when ``max_key_items`` is given, a list with more key items is refused.
* Bad input raises :class:`~randsupervise.errors.ValidationError` listing every problem;
  no half-built object is ever returned.
* The digest of a list is independent of the order in which items were given: items are
  kept sorted by id, and the canonical JSON form is documented in :meth:`ItemList.digest`.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, cast

import attrs

from randsupervise._core.display import html_summary, short
from randsupervise._core.validation import (
    check_int,
    describe,
    ident_of,
    str_set_problems,
    text_problems,
    to_float,
    to_int,
    to_str_set,
    to_tuple,
)
from randsupervise.errors import Problem, ValidationError
from randsupervise.model._validation import (
    CheckedRecord,
    Members,
    plain_value,
    records_to_objects,
)
from randsupervise.model.risk import TargetKind

__all__ = ["InspectionItem", "ItemKind", "ItemList"]

#: The values of :class:`~randsupervise.model.risk.TargetKind` an item may name.
_TARGET_KIND_VALUES: tuple[str, ...] = tuple(k.value for k in TargetKind)

_SEED_RULE = "plan §三(二)"


class ItemKind(str, enum.Enum):
    """Kind of an inspection item (plan §三(二)).

    Examples:
        >>> ItemKind("general") is ItemKind.GENERAL
        True
        >>> ItemKind.KEY.label_zh
        '重点检查事项'
    """

    #: 重点检查事项: safety, quality, public interest; no cap on the sampling ratio.
    KEY = "key"
    #: 一般检查事项: ordinary supervision; the sampling ratio must have a cap.
    GENERAL = "general"

    @property
    def label_zh(self) -> str:
        """The Chinese term used in the plan."""
        return "重点检查事项" if self is ItemKind.KEY else "一般检查事项"


def _to_item_kind(value: ItemKind | str) -> ItemKind:
    try:
        return ItemKind(value)
    except ValueError:
        return cast(ItemKind, value)  # reported by validation


@attrs.frozen(kw_only=True)
class InspectionItem(CheckedRecord):
    """One entry of the random-inspection item list (随机抽查事项).

    Attributes:
        id: Stable id of the item, unique in its list.
        name: Short name of the item.
        department: The department that carries out the item.
        kind: :class:`ItemKind` (or its string value).
        legal_basis: The law or regulation that authorises the check.
        content: What is checked (检查内容).
        method: How it is checked (检查方式), e.g. on-site check, document review.
        target_kinds: Kinds of target the item applies to, ``TargetKind`` members or
            their string values (stored as strings).
        required_qualifications: Inspector tags (qualifications or expertise) the check
            needs; may be empty.
        ratio_cap: Upper cap on the sampling ratio, in ``(0, 1]``; required for general
            items, ``None`` for key items.
        yearly_frequency_limit: How often the item may be carried out on one target per
            year; at least 1 (default 1).
        description: Optional free text.

    Raises:
        ValidationError: with one problem per bad field.

    Examples:
        >>> item = InspectionItem(
        ...     id="G01", name="旅行社经营行为检查", department="文化市场综合行政执法大队",
        ...     kind="general", legal_basis="《旅行社条例》", content="经营许可、质量保证金",
        ...     method="现场检查", target_kinds={"enterprise"}, ratio_cap=0.1)
        >>> item.kind, item.ratio_cap, item.yearly_frequency_limit
        (<ItemKind.GENERAL: 'general'>, 0.1, 1)
        >>> InspectionItem(
        ...     id="G02", name="x", department="d", kind="general", legal_basis="l",
        ...     content="c", method="m", target_kinds={"shop"})
        Traceback (most recent call last):
        ...
        randsupervise.errors.ValidationError: inspection item: 2 problems:
          id 'G02', field 'target_kinds': unknown target kind(s) ['shop']; expected ...
          id 'G02', field 'ratio_cap': a general item needs a ratio cap in (0, 1] (plan §三(二))
    """

    id: str
    name: str
    department: str
    kind: ItemKind = attrs.field(converter=_to_item_kind)
    legal_basis: str
    content: str
    method: str
    target_kinds: frozenset[str] = attrs.field(converter=to_str_set)
    required_qualifications: frozenset[str] = attrs.field(default=frozenset(), converter=to_str_set)
    ratio_cap: float | None = attrs.field(default=None, converter=to_float)
    yearly_frequency_limit: int = attrs.field(default=1, converter=to_int)
    description: str = ""

    _what: ClassVar[str] = "inspection item"

    def problems(self) -> list[Problem]:
        """Every problem with this item's fields (empty for a built item)."""
        ident = ident_of(self.id)
        out = text_problems(self.id, "id", ident)
        for field in ("name", "department", "legal_basis", "content", "method"):
            out += text_problems(getattr(self, field), field, ident)
        out += text_problems(self.description, "description", ident, required=False)
        if not isinstance(self.kind, ItemKind):
            out.append(
                Problem(
                    id=ident,
                    field="kind",
                    message=f"unknown item kind {self.kind!r}; expected 'key' or 'general'",
                )
            )
        set_problems = str_set_problems(self.target_kinds, "target_kinds", ident, non_empty=True)
        out += set_problems
        if not set_problems:
            unknown = sorted(self.target_kinds - set(_TARGET_KIND_VALUES))
            if unknown:
                out.append(
                    Problem(
                        id=ident,
                        field="target_kinds",
                        message=f"unknown target kind(s) {unknown}; expected values of "
                        f"TargetKind {list(_TARGET_KIND_VALUES)}",
                    )
                )
        out += str_set_problems(self.required_qualifications, "required_qualifications", ident)
        out += self._ratio_cap_problems(ident)
        limit = self.yearly_frequency_limit
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            out.append(
                Problem(
                    id=ident,
                    field="yearly_frequency_limit",
                    message=f"must be an integer >= 1, got {limit!r}",
                    rule="MIIT: same item, same target at most once a year in principle",
                )
            )
        return out

    def _ratio_cap_problems(self, ident: str | None) -> list[Problem]:
        cap: object = self.ratio_cap
        if self.kind is ItemKind.KEY:
            if cap is None:
                return []
            return [
                Problem(
                    id=ident,
                    field="ratio_cap",
                    message=f"a key item has no ratio cap, got {cap!r} ({_SEED_RULE})",
                    rule=_SEED_RULE,
                )
            ]
        if self.kind is not ItemKind.GENERAL:
            return []  # the kind itself is reported
        ok = (
            isinstance(cap, int | float)
            and not isinstance(cap, bool)
            and math.isfinite(cap)
            and 0 < cap <= 1
        )
        if ok:
            return []
        got = "" if cap is None else f", got {cap!r}"
        return [
            Problem(
                id=ident,
                field="ratio_cap",
                message=f"a general item needs a ratio cap in (0, 1]{got} ({_SEED_RULE})",
                rule=_SEED_RULE,
            )
        ]


@attrs.frozen(kw_only=True)
class ItemList(Members[InspectionItem]):
    """The random-inspection item list of a department (随机抽查事项清单).

    Items are kept sorted by id, so two lists holding the same items are equal and have
    the same digest whatever order the items were given in.

    Attributes:
        items: The inspection items; ids must be unique.
        max_key_items: Optional upper bound on the number of key items (plan §三(二):
            "严格控制重点检查事项的数量").

    Raises:
        ValidationError: listing every non-item entry, every duplicate id and a key-item
            count above ``max_key_items``.

    Examples:
        >>> def item(i, kind, cap=None):
        ...     return InspectionItem(id=i, name=i, department="d", kind=kind, legal_basis="l",
        ...                           content="c", method="m", target_kinds={"enterprise"},
        ...                           ratio_cap=cap)
        >>> items = ItemList(items=[item("G1", "general", 0.05), item("K1", "key")],
        ...                  max_key_items=3)
        >>> len(items), [i.id for i in items.key_items], items["G1"].ratio_cap
        (2, ['K1'], 0.05)
        >>> ItemList(items=[item("K1", "key"), item("K2", "key")], max_key_items=1)
        Traceback (most recent call last):
        ...
        randsupervise.errors.ValidationError: item list: field 'max_key_items': 2 key items ...
    """

    items: tuple[InspectionItem, ...] = attrs.field(converter=to_tuple)
    max_key_items: int | None = attrs.field(default=None, converter=to_int)
    _spec: ClassVar[tuple[str, type[Any], str, str]] = (
        "items",
        InspectionItem,
        "item",
        "item list",
    )

    def _more_problems(self) -> list[Problem]:
        """The limit on key items: a valid limit, not exceeded."""
        problems: list[Problem] = []
        limit = self.max_key_items
        if limit is not None and (
            isinstance(limit, bool) or not isinstance(limit, int) or limit < 0
        ):
            problems.append(
                Problem(
                    field="max_key_items",
                    message=f"must be None or an integer >= 0, got {limit!r}",
                )
            )
        else:
            problems += _key_count_problems(
                sum(1 for it in self.items if it.kind is ItemKind.KEY), limit
            )
        return problems

    @classmethod
    def from_records(
        cls, records: Iterable[Mapping[str, Any]], *, max_key_items: int | None = None
    ) -> ItemList:
        """Build a list from plain dicts (as made by :meth:`to_records`).

        Every problem in every record is reported, with its 0-based row.

        Examples:
            >>> rec = {"id": "K1", "name": "n", "department": "d", "kind": "key",
            ...        "legal_basis": "l", "content": "c", "method": "m",
            ...        "target_kinds": ["conduct"]}
            >>> ItemList.from_records([rec]).ids
            ('K1',)
            >>> ItemList.from_records([rec, {**rec, "kind": "big"}, rec])
            Traceback (most recent call last):
            ...
            randsupervise.errors.ValidationError: item list: 3 problems:
              row 1, id 'K1', field 'kind': unknown item kind 'big'; expected 'key' or 'general'
              row 1, id 'K1', field 'id': duplicate item id (first at row 0)
              row 2, id 'K1', field 'id': duplicate item id (first at row 0)
        """
        built, problems = records_to_objects(records, InspectionItem, "item")
        if problems:
            raise ValidationError(problems, what="item list")
        return cls(items=built, max_key_items=max_key_items)

    def __repr__(self) -> str:
        key = len(self.key_items)
        cap = "" if self.max_key_items is None else f" (at most {self.max_key_items})"
        return (
            f"<ItemList {len(self)} items: {key} key{cap}, {len(self) - key} general; "
            f"ids {short(self.ids)}, digest {self.digest()[:12]}…>"
        )

    def _repr_html_(self) -> str:
        its = self.items
        cols = ("id", "name", "department", "kind", "ratio_cap", "yearly_frequency_limit")
        return html_summary(
            "ItemList",
            {"items": len(its), "key": len(self.key_items), "digest": self.digest()[:16] + "…"},
            {c: [plain_value(getattr(i, c)) for i in its[:5]] for c in cols},
            total=len(its),
        )

    @property
    def key_items(self) -> tuple[InspectionItem, ...]:
        """The key items (重点检查事项), in id order."""
        return tuple(it for it in self.items if it.kind is ItemKind.KEY)

    @property
    def general_items(self) -> tuple[InspectionItem, ...]:
        """The general items (一般检查事项), in id order."""
        return tuple(it for it in self.items if it.kind is ItemKind.GENERAL)

    def for_target_kind(self, kind: str | enum.Enum) -> tuple[InspectionItem, ...]:
        """The items that apply to targets of ``kind`` (a ``TargetKind`` or its value).

        Examples:
            >>> from randsupervise.model.sample import sample_items
            >>> [i.id for i in sample_items().for_target_kind("product")]
            ['G03']
        """
        value = kind.value if isinstance(kind, enum.Enum) else kind
        if not isinstance(value, str) or value not in _TARGET_KIND_VALUES:
            raise ValidationError(
                [
                    Problem(
                        field="kind",
                        message=f"unknown target kind {describe(kind)}; expected one of "
                        f"{list(_TARGET_KIND_VALUES)}",
                    )
                ],
                what="for_target_kind",
            )
        return tuple(it for it in self.items if value in it.target_kinds)

    def check_key_items(self, limit: int | None = None) -> tuple[Problem, ...]:
        """Check the number of key items against ``limit`` (default: ``max_key_items``).

        A built list always passes its own ``max_key_items``; pass a stricter ``limit`` to
        see whether the list would meet it. Returns the problems found (empty when fine).

        Examples:
            >>> from randsupervise.model.sample import sample_items
            >>> sample_items().check_key_items()
            ()
            >>> [p.rule for p in sample_items().check_key_items(2)]
            ['plan §三(二)']
        """
        if limit is not None:
            check_int(limit, "limit", min_value=0, what="check_key_items")
        return tuple(
            _key_count_problems(len(self.key_items), self.max_key_items if limit is None else limit)
        )

    # --- export ---------------------------------------------------------------------------

    def canonical(self) -> dict[str, Any]:
        """The canonical JSON-able form that :meth:`digest` hashes.

        ``{"format": "randsupervise.item-list", "version": 1, "max_key_items": <int|null>,
        "items": [<record>, ...]}`` with the records of :meth:`InspectionItem.to_record`
        sorted by id.
        """
        return {
            "format": "randsupervise.item-list",
            "version": 1,
            "max_key_items": self.max_key_items,
            "items": self.to_records(),
        }


def _key_count_problems(count: int, limit: int | None) -> list[Problem]:
    if limit is None or count <= limit:
        return []
    return [
        Problem(
            field="max_key_items",
            message=f"{count} key items exceed the limit of {limit} "
            f"(严格控制重点检查事项的数量, {_SEED_RULE})",
            rule=_SEED_RULE,
        )
    ]
