"""One door for every receipt: read it strictly, tell its kind, verify it.

Invariants (DESIGN principle 4; ``docs/spec/receipts.md``):

* Draw, assignment and plan receipts share one canonical JSON form and one digest rule
  (:mod:`randsupervise._core.canonical`), are parsed strictly
  (:mod:`randsupervise._core.strict_json`) and verified into one report type
  (:class:`~randsupervise._core.report.VerifyReport`).
"""

from __future__ import annotations

__all__: list[str] = []
