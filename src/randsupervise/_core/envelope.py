"""What every receipt of version 2 and later shares (``docs/spec/receipts.md``).

Invariants (architecture principle 4: one receipt design):

* Every receipt is a JSON object with ``format`` = :data:`RECEIPT_FORMAT`, ``kind``
  (``"draw"``, ``"assignment"`` or ``"plan"``), ``version``, the seed (64 hex digits) and
  its public ``seed_source``, and ``receipt_digest``: the lower-case hex SHA-256 of the
  RFC 8785 canonical JSON of every other member (:func:`seal`).
* Sealing copies and freezes: a sealed receipt cannot be changed, and changing a copy
  changes its digest.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from randsupervise._core.canonical import Form, digest
from randsupervise._core.frozen import freeze
from randsupervise._core.report import Difference

__all__ = ["KINDS", "RECEIPT_FORMAT", "seal", "seal_differences"]

RECEIPT_FORMAT = "randsupervise.receipt"
KINDS = ("draw", "assignment", "plan")


def seal(body: Mapping[str, Any], form: Form = "jcs", *, key: str = "receipt_digest") -> Any:
    """``body`` with its digest under ``key`` (last), deeply frozen.

    Examples:
        >>> r = seal({"kind": "plan", "version": 2})
        >>> r["receipt_digest"] == digest({"kind": "plan", "version": 2})
        True
    """
    # frozen first: the long lists' canonical text is kept with them, so a receipt that
    # nests this one (a plan's) digests it without writing it again
    frozen = freeze(dict(body))
    return freeze({**frozen, key: digest(frozen, form)})


def seal_differences(
    receipt: Mapping[str, Any], form: Form = "jcs", *, key: str = "receipt_digest"
) -> list[Difference]:
    """A difference at ``key`` when the receipt's digest is not that of its content."""
    body = {k: v for k, v in receipt.items() if k != key}
    try:
        want = digest(body, form)
    except ValueError as e:
        return [Difference(path=key, message=f"the receipt has no canonical form: {e}")]
    if receipt.get(key) == want:
        return []
    return [
        Difference(
            path=key,
            message="the receipt was changed after it was made (its digest does not match "
            "its content)",
            receipt=receipt.get(key),
            recomputed=want,
        )
    ]
