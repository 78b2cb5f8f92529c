"""One inspection target: the row form of the register.

Invariants (plan §三(三)):

* A :class:`Target` holds the same fields as a register row and is checked by the same
  cell rules (:func:`randsupervise.model.register_cells.row_problems`), so a row
  refused by ``TargetRegistry.from_columns`` is refused as a ``Target`` and the reverse.
* Enum members are stored as their values, a risk class as a :class:`RiskClass`;
  every problem of a target is reported at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from randsupervise.errors import ValidationError
from randsupervise.model.register_cells import row_problems
from randsupervise.model.risk import RiskClass, TargetKind, TargetStatus, enum_value

__all__ = ["Target"]


def _str_value(v: object) -> str:
    """Converter: enum members to their value; other values unchanged (validated later)."""
    out = enum_value(v)
    return out  # type: ignore[return-value]


def _parse_risk(v: object) -> RiskClass:
    """Converter: a risk class as :meth:`RiskClass.parse` reads it; other values unchanged,
    so validation reports them together with the other fields' problems."""
    try:
        return RiskClass.parse(v)
    except ValidationError:
        return v  # type: ignore[return-value]


def as_dict(m: Mapping[str, Any]) -> dict[str, Any]:
    """Converter: a mapping to a dict of its own; anything else kept for the report."""
    return dict(m) if isinstance(m, Mapping) else m


@attrs.frozen(kw_only=True)
class Target:
    """One inspection target, the row form of :class:`TargetRegistry`.

    Examples:
        >>> t = Target(id="91350100M000100Y43", name="示例网吧", kind="enterprise",
        ...            region="东城镇", industry="internet_cafe", risk_class="B")
        >>> t.risk_class, t.status
        (<RiskClass.B: 1>, 'active')
    """

    id: str
    name: str
    kind: str = attrs.field(default=TargetKind.ENTERPRISE.value, converter=_str_value)
    region: str = ""
    industry: str = ""
    risk_class: RiskClass = attrs.field(default=RiskClass.B, converter=_parse_risk)
    status: str = attrs.field(default=TargetStatus.ACTIVE.value, converter=_str_value)
    weight: float = 1.0

    def __attrs_post_init__(self) -> None:
        problems = row_problems(0, attrs.asdict(self, recurse=False), self.id)
        if problems:
            raise ValidationError([attrs.evolve(p, row=None) for p in problems], what="Target")
