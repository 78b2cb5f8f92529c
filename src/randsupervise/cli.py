"""The command line: the only place in randsupervise that does I/O.

``python -m randsupervise demo`` runs the main job on the embedded sample data.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="randsupervise",
        description="Double-random, one-public supervision: demo, draw and verify.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run the demo on the embedded sample data")
    demo.add_argument("--json", action="store_true", help="print JSON instead of a report")
    return parser


def _sample_summary() -> dict[str, object]:
    """Summary of the embedded sample registers and item list."""
    from randsupervise.model import RiskClass, sample_inspectors, sample_items, sample_registry

    reg = sample_registry()
    pool = sample_inspectors()
    items = sample_items()
    counts = [int((reg.risk_codes == c.value).sum()) for c in RiskClass]
    return {
        "targets": len(reg),
        "targets_by_class": dict(zip([c.name for c in RiskClass], counts, strict=True)),
        "targets_by_kind": {
            k: int((reg.column("kind") == k).sum()) for k in reg.categories("kind")
        },
        "registry_digest": reg.digest(),
        "inspectors": len(pool),
        "certified_inspectors": sum(1 for i in pool if i.counts_toward_quota),
        "departments": sorted(pool.departments),
        "items": [
            {"id": it.id, "name": it.name, "kind": it.kind.value, "ratio_cap": it.ratio_cap}
            for it in items
        ],
    }


def cmd_demo(args: argparse.Namespace) -> int:
    summary = _sample_summary()
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2, sort_keys=True))
        return 0
    print("randsupervise demo: the embedded county culture-and-tourism sample")
    print(f"  targets: {summary['targets']}  by class: {summary['targets_by_class']}")
    print(f"  by kind: {summary['targets_by_kind']}")
    print(f"  register digest: {summary['registry_digest']}")
    print(
        f"  inspectors: {summary['inspectors']} "
        f"({summary['certified_inspectors']} count toward the certified quota)"
    )
    print(f"  departments: {', '.join(summary['departments'])}")  # type: ignore[arg-type]
    print("  items:")
    for it in summary["items"]:  # type: ignore[attr-defined]
        cap = "no cap" if it["ratio_cap"] is None else f"cap {it['ratio_cap']:.0%}"
        print(f"    {it['id']:<8} {it['kind']:<8} {cap:<8} {it['name']}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "demo":
        return cmd_demo(args)
    parser.error(f"unknown command {args.command}")  # pragma: no cover
    return 2  # pragma: no cover


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
