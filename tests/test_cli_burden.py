"""Command line ``draw`` / ``verify`` of burden-spread and frequency-limited draws, end to end
on temporary CSV and JSON files."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from randsupervise.cli import main

HEADER = "id,risk_class"
BODY = [f"T{i:03d},{'ABCD'[i % 4]}" for i in range(160)]
# two earlier periods: 2023 inspected every 3rd unit, 2024 every 5th (some in both)
HISTORY = {
    "2023": [f"T{i:03d}" for i in range(0, 160, 3)],
    "2024": [f"T{i:03d}" for i in range(1, 160, 5)],
}
ARGS = ["--seed", "dice 6 2 5 1", "--stream", "2025/批次-1", "--ratio", "A=0.25",
        "--ratio", "B=0.25", "--ratio", "D=1"]  # fmt: skip
# this year's inspections for item K9 (and one for another item, which does not count)
LIMITS = [["T000", "K9", 1], ["T004", "K9", 1], ["T008", "K9", 2], ["T012", "OTHER", 1],
          ["T-gone", "K9", 1], ["T016", "K9", 0]]  # fmt: skip


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def write_csv(path: Path, rows: list[str]) -> str:
    return write(path, "\n".join([HEADER, *rows]) + "\n")


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    return {
        "t": write_csv(tmp_path / "t.csv", BODY),
        "h": write(tmp_path / "history.json", json.dumps(HISTORY)),
        "l": write(tmp_path / "limits.json", json.dumps(LIMITS)),
        "dir": str(tmp_path),
    }


def test_burden_draw_verifies_with_its_history_only(
    files: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    draw = ["draw", "--registry", files["t"], *ARGS, "--burden", files["h"]]
    code, out, err = run([*draw, "--floor", "A=0.05", "--floor", "B=0.1"], capsys)
    assert code == 0, err
    receipt = json.loads(out)
    assert receipt["policy"]["floor"] == {"A": 0.05, "B": 0.1}
    assert receipt["burden"]["history"]["periods"] == ["2023", "2024"]
    tiers = receipt["burden"]["strata"]["A"]["tiers"]
    assert [t["last_inspected"] for t in tiers] == [[None], ["2023"], ["2024"]]
    assert receipt["burden"]["strata"]["D"]["floor"] is None  # not coordinated
    r = write(Path(files["dir"]) / "receipt.json", out)
    code, out, _ = run(["verify", "--registry", files["t"], "--burden", files["h"], r], capsys)
    assert code == 0 and out.startswith("draw receipt verified: it recomputes exactly\n")
    # without the history: a difference that says the history is needed, and how to pass it
    code, out, _ = run(["verify", "--registry", files["t"], r], capsys)
    assert code == 1
    assert "burden.history: this draw spread the burden over a history" in out
    assert "periods ['2023', '2024']" in out and "--burden HISTORY.json" in out
    # a tampered history: T000 moved from 2023 to 2024
    tampered = {"2023": HISTORY["2023"][1:], "2024": [*HISTORY["2024"], "T000"]}
    t = write(Path(files["dir"]) / "tampered.json", json.dumps(tampered))
    code, out, _ = run(["verify", "--registry", files["t"], "--burden", t, r], capsys)
    assert code == 1
    assert "burden.history.digest: the burden history given is not the one the draw used" in out
    assert "burden.strata.A.tiers" in out
    # the same periods in the other order is another history
    swapped = write(
        Path(files["dir"]) / "swapped.json", json.dumps(dict(reversed(HISTORY.items())))
    )
    code, out, _ = run(["verify", "--registry", files["t"], "--burden", swapped, r], capsys)
    assert code == 1 and "burden.history.digest" in out


def test_one_floor_for_every_stratum(
    files: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    # every stratum is coordinated, so each must draw at least the floor's fraction
    argv = ["draw", "--registry", files["t"], *ARGS, "--burden", files["h"], "--floor", "0.05"]
    code, out, err = run(argv, capsys)
    assert code == 2 and "id 'C', field 'floor': floor 0.05 is above the sampling" in err
    code, out, err = run([*argv, "--ratio", "C=0.1"], capsys)
    assert code == 0, err
    receipt = json.loads(out)
    assert receipt["policy"]["floor"] == 0.05
    r = write(Path(files["dir"]) / "receipt.json", out)
    code, _, _ = run(["verify", "--registry", files["t"], "--burden", files["h"], r], capsys)
    assert code == 0


def test_shuffled_rows_and_history_lists_change_nothing(
    files: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(11)
    rows = BODY[:]
    rng.shuffle(rows)
    history = {label: rng.sample(ids, len(ids)) for label, ids in HISTORY.items()}
    limits = rng.sample(LIMITS, len(LIMITS))
    d = Path(files["dir"])
    shuffled = {
        "t": write_csv(d / "s.csv", rows),
        "h": write(d / "s-history.json", json.dumps(history)),
        "l": write(d / "s-limits.json", json.dumps(limits)),
    }
    receipts = []
    for f in (files, shuffled):
        argv = ["draw", "--registry", f["t"], *ARGS, "--burden", f["h"], "--floor", "A=0.05",
                "--history", f["l"], "--item", "K9"]  # fmt: skip
        code, out, err = run(argv, capsys)
        assert code == 0, err
        receipts.append(out)
    assert receipts[0] == receipts[1]  # byte for byte
    receipt = json.loads(receipts[0])
    assert receipt["frequency_limit"]["excluded"] == ["T000", "T004", "T008"]
    r = write(d / "receipt.json", receipts[0])
    argv = ["verify", "--registry", files["t"], "--burden", shuffled["h"], "--history",
            shuffled["l"], r]  # fmt: skip
    code, out, _ = run(argv, capsys)
    assert code == 0 and out.startswith("draw receipt verified: it recomputes exactly\n")


def test_frequency_limited_draw(files: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["draw", "--registry", files["t"], *ARGS, "--history", files["l"], "--item", "K9",
            "--limit", "2"]  # fmt: skip
    code, out, err = run(argv, capsys)
    assert code == 0, err
    receipt = json.loads(out)
    assert receipt["policy"]["item"]["yearly_frequency_limit"] == 2
    assert receipt["frequency_limit"]["excluded"] == ["T008"]  # only T008 reached 2
    r = write(Path(files["dir"]) / "receipt.json", out)
    verify = ["verify", "--registry", files["t"]]
    code, out, _ = run([*verify, "--history", files["l"], r], capsys)
    assert code == 0 and out.startswith("draw receipt verified: it recomputes exactly\n")
    # without the history the exclusions cannot be checked: the receipt does not verify
    code, out, _ = run([*verify, r], capsys)
    assert code == 1 and "frequency_limit.history" in out and "1 unit(s)" in out
    # another history: T004 inspected twice
    other = [e if e[0] != "T004" else ["T004", "K9", 2] for e in LIMITS]
    o = write(Path(files["dir"]) / "other.json", json.dumps(other))
    code, out, _ = run([*verify, "--history", o, r], capsys)
    assert code == 1
    assert "frequency_limit.history_digest: the history given is not the one" in out
    assert "frequency_limit.excluded" in out
    # a history for a draw that applied no limit is a difference, not bad input
    code, out, _ = run(["draw", "--registry", files["t"], *ARGS], capsys)
    plain = write(Path(files["dir"]) / "plain.json", out)
    code, out, _ = run([*verify, "--history", files["l"], plain], capsys)
    assert code == 1 and "receipt records no item" in out
    code, out, _ = run([*verify, "--burden", files["h"], plain], capsys)
    assert code == 1 and "receipt records no burden spreading" in out


#: Bad burden histories (``--burden``, with ``--floor``): (file content, flags, message).
BAD_BURDEN = [
    (None, ["--floor", "0.05"], "missing.json"),
    ('{"2023": ["T001"],', ["--floor", "0.05"], "not valid JSON"),
    ('{"2023": ["T001"], "2023": []}', ["--floor", "0.05"], "'2023' appears twice"),
    ('"T001"', ["--floor", "0.05"], "expected a JSON object mapping period labels"),
    ('{"2023": "T001"}', ["--floor", "0.05"], "period '2023': expected a list of ids"),
    ('{"2023": ["T001", 7]}', ["--floor", "0.05"], "period '2023', item 1: ids must be"),
    ('{"": ["T001"]}', ["--floor", "0.05"], "a period label is empty"),
    (b"\xff\xfe{}", ["--floor", "0.05"], "not UTF-8"),
    ("{}", ["--floor", "E=0.05"], "--floor: unknown stratum ['E']"),
    ("{}", ["--floor", "A=much"], "--floor 'A=much'"),
    ("{}", ["--floor", "lots"], "--floor 'lots': not a number"),
    ("{}", ["--floor", "0.05", "--floor", "A=0.1"], "not both"),
    ("{}", ["--floor", "A=0.5"], "id 'A', field 'floor': floor 0.5 is above"),
    ("{}", ["--floor", "1.5"], "floor must be a number in [0, 1]"),
    ("{}", [], "--burden needs --floor"),
    ("{}", ["--floor", "0.05", "--method", "pareto"], "'smallest' method only"),
]

#: Bad frequency-limit histories (``--history``, with ``--item``); the history as a JSON
#: value (``None``: no file).
BAD_LIMITS = [
    ([], [], "--history needs --item"),
    (None, ["--item", "K9"], "cannot read"),
    ({"T001": 1}, ["--item", "K9"], "expected a JSON list of [unit id, item id, count]"),
    ([["T001", "K9"]], ["--item", "K9"], "entry 0: expected [unit id, item id, count]"),
    ([["T001", "K9", 1], ["T002", "K9", -1]], ["--item", "K9"], "entry 1:"),
    ([["T001", "K9", True]], ["--item", "K9"], "entry 0:"),
    ([["T001", "K9", 1.5]], ["--item", "K9"], "entry 0:"),
    ([["", "K9", 1]], ["--item", "K9"], "entry 0:"),
    ([], ["--item", "K9", "--limit", "0"], "yearly_frequency_limit"),
]


@pytest.mark.parametrize(
    ("option", "content", "flags", "expected"),
    [("--burden", *case) for case in BAD_BURDEN]
    + [("--history", None if v is None else json.dumps(v), *rest) for v, *rest in BAD_LIMITS],
)
def test_bad_history_input_exits_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    option: str,
    content: str | bytes | None,
    flags: list[str],
    expected: str,
) -> None:
    t = write_csv(tmp_path / "t.csv", BODY)
    h = tmp_path / ("missing.json" if option == "--burden" else "limits.json")
    if isinstance(content, bytes):
        h.write_bytes(content)
    elif content is not None:
        h.write_text(content, encoding="utf-8")
    code, out, err = run(["draw", "--registry", t, *ARGS, option, str(h), *flags], capsys)
    assert code == 2 and out == "" and "Traceback" not in err
    assert err.startswith("randsupervise draw: error: ") and err.count("\n") == 1, err
    assert expected in err


def test_flags_that_need_each_other(
    files: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    draw = ["draw", "--registry", files["t"], *ARGS]
    for flags, expected in [
        (["--floor", "0.05"], "--floor needs --burden"),
        (["--limit", "2"], "--limit needs --item"),
    ]:
        code, out, err = run([*draw, *flags], capsys)
        assert code == 2 and out == "" and expected in err


def test_verify_bad_history_files_exit_2(
    files: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["draw", "--registry", files["t"], *ARGS], capsys)
    r = write(Path(files["dir"]) / "receipt.json", out)
    bad = write(Path(files["dir"]) / "bad.json", "[1, 2")
    for flag in ("--burden", "--history"):
        code, out, err = run(["verify", "--registry", files["t"], flag, bad, r], capsys)
        assert code == 2 and out == "" and "bad.json: not valid JSON" in err
        assert "Traceback" not in err
