"""The browser verifier agrees with the library: Node runs tests/js/verifier.test.cjs.

The Node tests check ``verifier.js`` against every published vector (tickets, batch order,
register digests) and against receipts written here by the library: the sample year's
draws and draws of varied policies (ratios under each rounding rule, minimum per
stratum, clipping, one stratum, strata by region, targeted draws, frequency exclusions,
several batches), and against the announcements those draws were made under (the sample
year's plan announcement, an announcement of one draw), matching and not. Skipped, with
the reason, only when ``node`` is not installed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from randsupervise._core.frozen import thaw
from randsupervise.demo import run_demo_year
from randsupervise.draw import History, SeedRule, announce_draw, draw
from randsupervise.draw.allocation import ItemRule
from randsupervise.model import TargetRegistry
from randsupervise.publish import public_record
from randsupervise.publish.register import register_csv

ROOT = Path(__file__).resolve().parent.parent
NODE = shutil.which("node")
SEED = "randsupervise demo 2024: dice 3 1 4 1 5 9 2 6"


def _register() -> TargetRegistry:
    n = 90
    return TargetRegistry.from_columns(
        id=[f"T-{i:03d}" if i % 7 else f"网吧-{i:03d}" for i in range(n)],
        name=[f"示例 {i}" if i % 5 else f"T-{i:03d}" for i in range(n)],
        risk_class=["ABCD"[i % 4] if i % 11 else "a" for i in range(n)],
        region=[("东城镇", "西河镇", "南山乡")[i % 3] for i in range(n)],
        industry=[("网吧", "旅行社")[i % 2] for i in range(n)],
        status=["active" if i % 13 else "suspended" for i in range(n)],
        weight=[0.5 + (i % 5) * 0.25 for i in range(n)],
    )


def _policies() -> dict[str, dict[str, Any]]:
    return {
        "ratios-ceil": {"ratios": {"A": 0.03, "B": 0.1, "C": 0.3, "D": 1.0}},
        "ratios-floor": {"ratios": {"A": 0.15, "B": 0.35}, "rounding": "floor"},
        "ratios-half-up": {"ratios": {"A": 0.25, "C": 0.3}, "rounding": "half_up"},
        "default-ratio-min": {"default_ratio": 0.05, "min_per_stratum": 3},
        "count-clipped": {"counts": {"A": 5, "D": 400}},
        "one-stratum": {"stratify": None, "ratios": {"ALL": 0.2}},
        "by-region": {"stratify": "region", "ratios": {"东城镇": 0.2, "南山乡": 0.5}},
        "targeted-batches": {
            "ratios": {"A": 0.5, "B": 0.5, "C": 1.0, "D": 1.0},
            "where": {"industry": "网吧", "status": "active"},
            "batches": 3,
        },
        "frequency-excluded": {
            "ratios": {"A": 0.5, "B": 0.5},
            "item": ItemRule(id="K01", kind="key", ratio_cap=None, yearly_frequency_limit=1),
            "history": History.from_entries(
                [("T-001", "K01", 1), ("T-005", "K01", 1), ("T-009", "K01", 2)]
            ),
        },
    }


def write_fixtures(directory: Path) -> None:
    """The receipts, public records and registers the Node tests read."""
    demo = run_demo_year(2024)
    (directory / "register.csv").write_bytes(register_csv(demo.registry))
    # a tampered register: one internet café moved from class A to class D
    lines = (directory / "register.csv").read_text("utf-8-sig").splitlines()
    k = next(i for i, line in enumerate(lines) if ",网吧,A,active," in line)
    lines[k] = lines[k].replace(",网吧,A,active,", ",网吧,D,active,")
    (directory / "tampered.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    cases = [
        {
            "name": "sample-" + d.stream.replace("2024/", "").replace("/", "-"),
            "register": "register.csv",
            "seed_text": SEED,
            "receipt": thaw(d.receipt),
            "public": thaw(public_record(d.receipt)),
        }
        for d in demo.run.draws
    ]
    reg = _register()
    (directory / "varied.csv").write_bytes(register_csv(reg))
    for name, policy in _policies().items():
        r = draw(reg, seed="dice 6 6 2 1", stream=f"2024/{name}", **policy).receipt
        cases.append(
            {
                "name": name,
                "register": "varied.csv",
                "seed_text": "dice 6 6 2 1",
                "receipt": r.to_dict(),
                "public": thaw(public_record(r)),
            }
        )
        if name == "targeted-batches":  # a draw announced on its own (kind "draw")
            rule = SeedRule(method="text", source="dice", date="2024-03-01")
            a = announce_draw(reg, stream=f"2024/{name}", seed_rule=rule, date="2024-02-20",
                              **policy)  # fmt: skip
            cases[-1]["announcement"] = a.to_dict()
    (directory / "cases.json").write_text(json.dumps(cases, ensure_ascii=False), "utf-8")
    # the sample year's plan announcement, published before its seed
    (directory / "announcement.json").write_text(
        json.dumps(demo.announcement.to_dict(), ensure_ascii=False), "utf-8"
    )


@pytest.mark.skipif(NODE is None, reason="node is not installed: the verifier's tests need Node")
def test_verifier_js_agrees_with_the_library(tmp_path: Path) -> None:
    write_fixtures(tmp_path)
    proc = subprocess.run(
        [str(NODE), "--test", str(ROOT / "tests" / "js" / "verifier.test.cjs")],
        capture_output=True,
        text=True,
        timeout=600,
        env={"RS_FIXTURES": str(tmp_path), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "# fail 0" in proc.stdout and "# skipped 0" in proc.stdout, proc.stdout[-2000:]


def test_frequency_fixture_excludes_units() -> None:
    """The frequency case really leaves units out (so the Node test covers exclusions)."""
    policy = _policies()["frequency-excluded"]
    r = draw(_register(), seed="dice 6 6 2 1", stream="2024/frequency-excluded", **policy)
    assert r.receipt.frequency_limit is not None
    assert len(r.receipt.frequency_limit["excluded"]) == 3
