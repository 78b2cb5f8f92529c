"""Pure domain objects: targets and their register, items, inspectors, risk classes, results."""

from __future__ import annotations

from randsupervise.model.credit_code import (
    CREDIT_CODE_CHARSET,
    credit_code_check_character,
    credit_code_problems,
    is_valid_credit_code,
    valid_credit_code_mask,
)
from randsupervise.model.targets import (
    CATEGORICAL_COLUMNS,
    ENTITY_KINDS,
    AddTarget,
    RegistryChange,
    RegistryDiff,
    RemoveTarget,
    RiskClass,
    Target,
    TargetKind,
    TargetRegistry,
    TargetStatus,
    UpdateTarget,
    registry_digest_from_row_hashes,
)

__all__ = [
    "CATEGORICAL_COLUMNS",
    "CREDIT_CODE_CHARSET",
    "ENTITY_KINDS",
    "AddTarget",
    "RegistryChange",
    "RegistryDiff",
    "RemoveTarget",
    "RiskClass",
    "Target",
    "TargetKind",
    "TargetRegistry",
    "TargetStatus",
    "UpdateTarget",
    "credit_code_check_character",
    "credit_code_problems",
    "is_valid_credit_code",
    "registry_digest_from_row_hashes",
    "valid_credit_code_mask",
]
