"""Risk classes, kinds and statuses of targets: the register's enumerated vocabularies.

Invariants (plan §三(三); BRIEF "Glossary"):

* A target has a credit-risk class A-D (信用风险分类, the sub-registers by risk, 子库),
  ordered from low to high risk and stored as codes 0-3.
* A target is a market entity (enterprise, sole trader, farmer co-operative, other
  entity: registered under a unified social credit code, GB 32100-2015) or a non-market
  target (product, project, conduct).
* A target's registration status is one of :class:`TargetStatus`; only active targets
  are normally drawn.
* The categorical columns of the register are :data:`CATEGORICAL_COLUMNS`; ``kind`` and
  ``status`` accept only their enumerations' values, ``region`` and ``industry`` any text.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

import numpy as np

from randsupervise._core.validation import describe
from randsupervise.errors import Problem, ValidationError

__all__ = [
    "CATEGORICAL_COLUMNS",
    "ENTITY_KINDS",
    "RiskClass",
    "TargetKind",
    "TargetStatus",
]


class RiskClass(enum.IntEnum):
    """Credit-risk classes (信用风险分类), ordered from low (A) to high (D) risk.

    Examples:
        >>> RiskClass.A < RiskClass.D
        True
        >>> RiskClass.parse("c").label_en
        'elevated risk'
    """

    A = 0
    B = 1
    C = 2
    D = 3

    @property
    def label_en(self) -> str:
        return ("low risk", "ordinary risk", "elevated risk", "high risk")[self.value]

    @property
    def label_zh(self) -> str:
        return ("低风险", "一般风险", "较高风险", "高风险")[self.value]

    @classmethod
    def parse(cls, value: object) -> RiskClass:
        """Accept a member, a letter (any case) or a code 0-3; raise
        :class:`~randsupervise.errors.ValidationError` (a ``ValueError``) naming
        ``risk_class`` otherwise (``True`` is not class B)."""
        if isinstance(value, RiskClass):
            return value
        if isinstance(value, str) and value.strip().upper() in cls.__members__:
            return cls[value.strip().upper()]
        if (
            isinstance(value, int | np.integer)
            and not isinstance(value, bool | np.bool_)
            and 0 <= value <= 3
        ):
            return cls(int(value))
        raise ValidationError(
            [
                Problem(
                    field="risk_class",
                    message=f"unknown risk class {describe(value)}: expected one of A, B, C, D",
                )
            ],
            what="RiskClass",
        )


#: The class letters in code order (code 0 is A).
RISK_LETTERS = ("A", "B", "C", "D")


class TargetKind(str, enum.Enum):
    """What a target is (plan §三(三)): market entities and non-market targets."""

    ENTERPRISE = "enterprise"
    SOLE_TRADER = "sole_trader"
    FARMER_COOPERATIVE = "farmer_cooperative"
    OTHER_ENTITY = "other_entity"
    PRODUCT = "product"
    PROJECT = "project"
    CONDUCT = "conduct"


#: Kinds registered under a unified social credit code (GB 32100-2015).
ENTITY_KINDS = frozenset(
    {
        TargetKind.ENTERPRISE.value,
        TargetKind.SOLE_TRADER.value,
        TargetKind.FARMER_COOPERATIVE.value,
        TargetKind.OTHER_ENTITY.value,
    }
)


class TargetStatus(str, enum.Enum):
    """Registration status; only active targets are normally drawn."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    UNREACHABLE = "unreachable"
    DEREGISTERED = "deregistered"
    REVOKED = "revoked"
    MOVED_OUT = "moved_out"


CATEGORICAL_COLUMNS: tuple[str, ...] = ("kind", "region", "industry", "status")
#: The values each categorical column accepts (``None``: any text).
ALLOWED: Mapping[str, frozenset[str] | None] = {
    "kind": frozenset(k.value for k in TargetKind),
    "status": frozenset(s.value for s in TargetStatus),
    "region": None,
    "industry": None,
}
#: A categorical column's value when the column is not given.
DEFAULTS = {"kind": TargetKind.ENTERPRISE.value, "region": "", "industry": "", "status": "active"}


def enum_value(v: object) -> object:
    """An enum member's value; any other value unchanged."""
    return v.value if isinstance(v, enum.Enum) else v
