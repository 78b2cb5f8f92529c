"""Write ``receipts_v2.json``: canonical-JSON (RFC 8785) cases and one receipt of each kind.

Run from the repository root: ``python tests/vectors/generate_receipts_v2.py``. The file is
committed; ``tests/test_receipts_trust.py`` checks every entry against the library and
against the standard-library checker in ``tests/outsider``. Changing any entry is a new
receipt version (docs/stability.md).
"""

from __future__ import annotations

import json
from pathlib import Path

from randsupervise._core.canonical import canonical_json, digest
from randsupervise._core.frozen import thaw
from randsupervise.assign import VisitRequest, assign, replace
from randsupervise.assign.changes import _cancel_recorded
from randsupervise.draw import Seed, draw
from randsupervise.model import TargetRegistry
from randsupervise.model.sample import sample_inspectors

HERE = Path(__file__).parent

NUMBERS = [0, 1, -1, 1.0, 0.5, 0.1, 1 / 3, 2.5e-7, 1e-6, 1e-7, 1e21, 1e20, 123456789.0,
           9007199254740992, -0.0, 5e-324, 1.7976931348623157e308, 0.000001234, 1e16,
           12345678901234567890.0, 100.0, 1.5e300]  # fmt: skip
VALUES = [
    {"b": 1, "a": [True, False, None], "c": {"z": "", "y": "网吧"}},
    {"\u20ac": 1, "\U0001f600": 2, "\ufb33": 3, "a": 4, "A": 5, "\u00e9": 6},
    ['\u0000\u001f"\\/\b\f\n\r\t', "\u2028\u2029\u007f", "😀 网吧-001"],
    {"nested": [[[]], [{}], {"k": [1.0, 2.50, -0.0]}]},
]


def main() -> None:
    reg = TargetRegistry.from_columns(
        id=[f"F{i:03}" for i in range(40)] + ["网吧-001", "😀"],
        risk_class=["ABCD"[i % 4] for i in range(42)],
        region=[("东城镇", "西城镇")[i % 2] for i in range(42)],
    )
    seed_text = "2025-03-01 摇号 3 6 1 2 5 5 4 1"
    d = draw(reg, seed=seed_text, stream="2025/K01", ratios={"A": 0.1, "B": 0.25, "C": 0.5,
             "D": 1.0}, batches=3)  # fmt: skip
    dept = "文化市场综合行政执法大队"
    visits = [VisitRequest(id=f"V{i}", target=f"F{i:03}", region="东城镇", departments=[dept])
              for i in range(6)]  # fmt: skip
    pool = sample_inspectors()
    a = assign(visits, pool, seed=Seed.from_text(seed_text), stream="2025/teams")
    # the free-text reason these receipts were written with, before CancelReason
    chain = _cancel_recorded(replace(a, [a.team("V0").officers[0]]), ["V2"], "target deregistered")
    data = {
        "about": "RFC 8785 canonical JSON cases and receipts of version 2, with their digests",
        "numbers": [{"value": x, "jcs": canonical_json(x)} for x in NUMBERS],
        "values": [{"value": v, "jcs": canonical_json(v), "digest": digest(v)} for v in VALUES],
        "draw": {
            "register": {
                "id": reg.ids.tolist(),
                "risk_class": list(reg.column("risk_class")),
                "region": list(reg.column("region")),
            },
            "receipt": d.receipt.to_dict(),
        },
        "assignment": {
            "visits": [v.to_record() for v in visits],
            "receipts": [thaw(r) for r in chain.receipts],
        },
    }
    text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    (HERE / "receipts_v2.json").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
