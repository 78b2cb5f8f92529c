"""``randsupervise plan check|run`` on a plan file, as a bureau runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from randsupervise.cli import main
from randsupervise.demo import demo_inputs
from randsupervise.interop import plan_to_toml
from randsupervise.receipts import verify


@pytest.fixture(scope="module")
def plan_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("plan") / "plan-2024.toml"
    path.write_text(plan_to_toml(demo_inputs(2024)[0]), encoding="utf-8")
    return path


def test_plan_check_passes_a_good_plan(plan_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "check", str(plan_file), "--sample"]) == 0
    assert "0 problem(s)" in capsys.readouterr().out


def test_plan_check_lists_every_problem_first(
    tmp_path: Path, plan_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = plan_file.read_text(encoding="utf-8")
    # drop the first task: its items are left without a task (item coverage below 100%)
    first = text.index("[[tasks]]")
    second = text.index("[[tasks]]", first + 1)
    short = tmp_path / "short.toml"
    short.write_text(text[:first] + text[second:], encoding="utf-8")
    assert main(["plan", "check", str(short), "--sample"]) == 1
    out = capsys.readouterr().out
    assert "item coverage would be below 100%" in out


def test_plan_run_writes_a_year_whose_receipt_verifies(
    tmp_path: Path, plan_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "year"
    seed = "2024-01-15 dice 3 1 4 1 5 9 2 6"
    assert main(["plan", "run", str(plan_file), "--sample", "--seed", seed, "--out", str(out)]) == 0
    assert "written to" in capsys.readouterr().out
    names = {p.name for p in out.iterdir()}
    assert names == {"visits.csv", "draws.csv", "teams.json", "plan-receipt-2024.json"}
    plan, registry, items, pool, _, cal = demo_inputs(2024)
    receipt = (out / "plan-receipt-2024.json").read_text(encoding="utf-8-sig")
    report = verify(receipt, plan=plan, registry=registry, items=items, pool=pool,
                    calendar=cal, expected_seed=seed)  # fmt: skip
    assert report.ok, str(report)
    teams = json.loads((out / "teams.json").read_text(encoding="utf-8-sig"))
    assert all(len(t) >= 2 for t in teams.values())


@pytest.mark.parametrize(
    "args",
    [
        ["plan", "run", "PLAN", "--sample"],  # no seed, no out
        ["plan", "check", "PLAN"],  # no inputs
        ["plan", "check", "missing.toml", "--sample"],
    ],
)
def test_plan_bad_input_is_one_line_and_status_2(
    args: list[str], plan_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [str(plan_file) if a == "PLAN" else a for a in args]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("randsupervise plan: error: ") and err.count("\n") == 1
