"""Pure domain objects: targets and their register, items, inspectors, risk classes, results."""

from __future__ import annotations

from randsupervise.model.credit_code import (
    CREDIT_CODE_CHARSET,
    credit_code_check_character,
    credit_code_problems,
    is_valid_credit_code,
    valid_credit_code_mask,
)
from randsupervise.model.inspectors import LEAD_QUALIFICATION, Inspector, InspectorPool
from randsupervise.model.items import InspectionItem, ItemKind, ItemList
from randsupervise.model.results import (
    CONTRADICTIONS,
    RESULT_CODE_TABLE,
    Contradiction,
    InspectionResult,
    ResultCode,
    ResultCodeInfo,
    ResultGroup,
    result_problems,
)
from randsupervise.model.sample import (
    SAMPLE_REGIONS,
    sample_inspectors,
    sample_items,
    sample_registry,
    sample_target_columns,
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
    "AddTarget",
    "CATEGORICAL_COLUMNS",
    "CONTRADICTIONS",
    "CREDIT_CODE_CHARSET",
    "Contradiction",
    "ENTITY_KINDS",
    "InspectionItem",
    "InspectionResult",
    "Inspector",
    "InspectorPool",
    "ItemKind",
    "ItemList",
    "LEAD_QUALIFICATION",
    "RESULT_CODE_TABLE",
    "RegistryChange",
    "RegistryDiff",
    "RemoveTarget",
    "ResultCode",
    "ResultCodeInfo",
    "ResultGroup",
    "RiskClass",
    "SAMPLE_REGIONS",
    "Target",
    "TargetKind",
    "TargetRegistry",
    "TargetStatus",
    "UpdateTarget",
    "credit_code_check_character",
    "credit_code_problems",
    "is_valid_credit_code",
    "registry_digest_from_row_hashes",
    "result_problems",
    "sample_inspectors",
    "sample_items",
    "sample_registry",
    "sample_target_columns",
    "valid_credit_code_mask",
]
