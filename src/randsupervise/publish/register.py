"""The register as a CSV file, for auditors and for the browser verifier.

Invariants (``docs/spec/register.md``):

* The file has the eight digest columns, in the digest column order, and a header; the
  command line (``randsupervise draw|verify --registry``) and the browser verifier read
  it back into a register with the same digest.
* Weights are written in Python's shortest round-trip form (``repr``), so reading the
  text back as a binary64 number gives the same bits; rows keep the register's order.
* It holds every row's risk class: it is an audit input, not a publication.
"""

from __future__ import annotations

from randsupervise.model.targets import TargetRegistry
from randsupervise.publish.formats import csv_bytes

__all__ = ["REGISTER_COLUMNS", "register_csv"]

#: The columns of a register file, in the digest column order.
REGISTER_COLUMNS: tuple[str, ...] = (
    "id", "name", "kind", "region", "industry", "risk_class", "status", "weight",
)  # fmt: skip


def register_csv(registry: TargetRegistry, *, encoding: str = "utf-8-sig") -> bytes:
    """The register as CSV bytes (UTF-8 with a byte-order mark by default).

    Examples:
        >>> reg = TargetRegistry.from_columns(id=["a", "b"], risk_class="AD", weight=[0.1, 2])
        >>> for line in register_csv(reg).decode("utf-8-sig").splitlines():
        ...     print(line)
        id,name,kind,region,industry,risk_class,status,weight
        a,a,enterprise,,,A,active,0.1
        b,b,enterprise,,,D,active,2.0
    """
    cols = registry.to_columns()
    rows = [
        tuple(
            repr(float(cols[c][k])) if c == "weight" else str(cols[c][k]) for c in REGISTER_COLUMNS
        )
        for k in range(len(registry))
    ]
    # exact values, never formula-guarded: the file is read back to the same digest
    return csv_bytes(REGISTER_COLUMNS, rows, encoding=encoding, guard_formulas=False)
