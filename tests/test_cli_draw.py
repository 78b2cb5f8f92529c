"""Command line ``draw`` and ``verify`` end to end on temporary CSV files."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from randsupervise.cli import main

HEADER = "id,risk_class,weight,kind,region"


def write_csv(path: Path, rows: list[str], header: str = HEADER) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def rows(n: int = 120) -> list[str]:
    return [
        f"T{i:04d},{'ABCD'[i % 4]},{1 + i % 3},enterprise,{['东城镇', '西城镇'][i % 2]}"
        for i in range(n)
    ]


ARGS = ["--seed", "dice 3 1 4 1 5", "--stream", "2024/批次-1", "--ratio", "A=0.03",
        "--ratio", "B=0.05", "--ratio", "C=0.2", "--ratio", "D=1"]  # fmt: skip


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_draw_shuffle_verify_and_tamper(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = rows()
    t = write_csv(tmp_path / "t.csv", body)
    shuffled = body[:]
    random.Random(7).shuffle(shuffled)
    s = write_csv(tmp_path / "s.csv", shuffled)
    code, out, _ = run(["draw", "--registry", str(t), *ARGS], capsys)
    assert code == 0
    receipt = json.loads(out)
    for key in ("algorithm", "seed", "stream", "registry_digest", "strata"):
        assert key in receipt
    assert receipt["strata"]["D"]["sample_size"] == receipt["strata"]["D"]["population"] == 30
    assert receipt["strata"]["A"]["sample_size"] == 1
    code2, out2, _ = run(["draw", "--registry", str(s), *ARGS], capsys)
    assert code2 == 0 and out2 == out  # shuffled rows: the identical receipt
    rpath = tmp_path / "receipt.json"
    rpath.write_text(out, encoding="utf-8")
    code, out, _ = run(["verify", "--registry", str(s), str(rpath)], capsys)
    assert code == 0 and "verified" in out
    tampered = shuffled[:]
    tampered[5] = tampered[5].replace(",A,", ",D,").replace(",B,", ",D,").replace(",C,", ",D,")
    if tampered[5] == shuffled[5]:
        tampered[5] = tampered[5].replace(",D,", ",A,")
    x = write_csv(tmp_path / "x.csv", tampered)
    code, out, _ = run(["verify", "--registry", str(x), str(rpath)], capsys)
    assert code == 1 and "registry_digest" in out


def test_no_risk_class_column_is_one_stratum(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    t = write_csv(tmp_path / "t.csv", [f"X{i}" for i in range(50)], header="id")
    code, out, _ = run(["draw", "--registry", str(t), "--seed", "s", "--stream", "n",
                        "--ratio", "ALL=0.1"], capsys)  # fmt: skip
    assert code == 0
    r = json.loads(out)
    assert list(r["strata"]) == ["ALL"] and r["strata"]["ALL"]["sample_size"] == 5


def test_bad_input_exits_2_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    t = write_csv(tmp_path / "t.csv", rows(20))
    cases = [
        ["draw", "--registry", str(tmp_path / "missing.csv"), *ARGS],
        ["draw", "--registry", str(t), "--seed", "s", "--stream", "x", "--ratio", "E=0.1"],
        ["draw", "--registry", str(t), "--seed", "s", "--stream", "x", "--ratio", "A=lots"],
        ["draw", "--registry", str(write_csv(tmp_path / "dup.csv", ["a,A", "a,B"],
                                             header="id,risk_class")), *ARGS],
        ["draw", "--registry", str(write_csv(tmp_path / "noid.csv", ["A"], header="risk_class")),
         *ARGS],
        ["verify", "--registry", str(t), str(write_csv(tmp_path / "r.json", [], header="{"))],
        ["verify", "--registry", str(t), str(tmp_path / "none.json")],
    ]  # fmt: skip
    for argv in cases:
        code, _out, err = run(argv, capsys)
        assert code == 2, argv
        assert "error" in err and "Traceback" not in err


def test_module_entry_point(tmp_path: Path) -> None:
    t = write_csv(tmp_path / "t.csv", rows(40))
    proc = subprocess.run(
        [sys.executable, "-m", "randsupervise", "draw", "--registry", str(t), *ARGS],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    r = tmp_path / "r.json"
    r.write_text(proc.stdout, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "randsupervise", "verify", "--registry", str(t), str(r)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_bad_rows_are_all_named_by_their_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # line 1 is the header; the blank line 3 is skipped but still counted
    t = write_csv(
        tmp_path / "t.csv",
        ["T1,A,1", "", "T2,E,2", "T3,B,lots", "T3,B,1", '"T4', 'x",B,-1'],
        header="id,risk_class,weight",
    )
    code, out, err = run(["draw", "--registry", str(t), *ARGS], capsys)
    assert code == 2 and out == "" and "Traceback" not in err
    assert "5 problems" in err
    assert "line 4, id 'T2', field 'risk_class'" in err
    assert "line 5, id 'T3', field 'weight': weight 'lots' is not a number" in err
    assert "line 5, id 'T3', field 'id': duplicate id (also on lines [6])" in err
    assert "line 6, id 'T3', field 'id': duplicate id (also on lines [5])" in err
    assert "line 7, id 'T4\\nx', field 'weight'" in err  # a quoted field over two lines
    assert "row " not in err


def test_csv_reader_errors_exit_2_with_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    t = write_csv(tmp_path / "t.csv", ["T1,A", f'"{"x" * 200_000}",B'], header="id,risk_class")
    code, _out, err = run(["draw", "--registry", str(t), *ARGS], capsys)
    assert code == 2 and "line 3" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("header", "hint"),
    [
        ("id;risk_class", "the file must be comma-separated"),
        ("id\trisk_class", "the file must be comma-separated"),
        ("ID,Risk_Class", "column names are lower case"),
    ],
)
def test_missing_id_column_says_what_is_likely_wrong(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], header: str, hint: str
) -> None:
    t = write_csv(tmp_path / "t.csv", ["T1;A"], header=header)
    code, out, err = run(["draw", "--registry", str(t), *ARGS], capsys)
    assert code == 2 and out == "" and "no 'id' column" in err and hint in err
