"""Command line ``announce``, ``commit`` and ``verify --announcement``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from randsupervise.cli import main

HEADER = "id,risk_class"
ROWS = [f"T{i:03d},{'ABCD'[i % 4]}" for i in range(80)]
SOURCE = "县公证处 2024-03-01 摇号 dice"
DRAW = ["--stream", "2024/G01", "--ratio", "A=0.1", "--ratio", "B=0.2", "--batches", "2"]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Path]:
    reg = tmp_path / "t.csv"
    reg.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    code, out, err = run(
        ["announce", "--registry", str(reg), *DRAW, "--seed-rule", SOURCE,
         "--seed-date", "2024-03-01", "--date", "2024-02-20"], capsys,
    )  # fmt: skip
    assert code == 0, err
    ann = tmp_path / "announcement.json"
    ann.write_text(out, encoding="utf-8")
    return {"registry": reg, "announcement": ann, "dir": tmp_path}


def draw_to(path: Path, files: dict[str, Path], seed: str, capsys: pytest.CaptureFixture[str],
            args: list[str] = DRAW) -> Path:  # fmt: skip
    code, out, err = run(["draw", "--registry", str(files["registry"]), "--seed", seed, *args],
                         capsys)  # fmt: skip
    assert code == 0, err
    path.write_text(out, encoding="utf-8")
    return path


def test_announce_writes_a_sealed_announcement(files: dict[str, Path]) -> None:
    data = json.loads(files["announcement"].read_text(encoding="utf-8"))
    assert data["kind"] == "draw" and data["date"] == "2024-02-20"
    assert data["draw"]["stream"] == "2024/G01" and data["draw"]["policy"]["batches"] == 2
    assert data["seed_rule"] == {"method": "text", "source": SOURCE, "date": "2024-03-01"}


def test_verify_with_announcement_exit_codes(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    d = files["dir"]
    good = draw_to(d / "good.json", files, f"{SOURCE} 3 6 1 2", capsys)
    base = ["verify", "--registry", str(files["registry"]), "--announcement",
            str(files["announcement"])]  # fmt: skip
    code, out, _ = run([*base, str(good)], capsys)
    assert code == 0 and "verified" in out
    rerun = draw_to(d / "rerun.json", files, f"{SOURCE} 3 6 1 2", capsys,
                    ["--stream", "2024/G01-again", *DRAW[2:]])  # fmt: skip
    code, _, _ = run(["verify", "--registry", str(files["registry"]), str(rerun)], capsys)
    assert code == 0  # alone, a re-run verifies
    code, out, _ = run([*base, str(rerun)], capsys)
    assert code == 1 and "- stream: not the announced stream" in out
    other = draw_to(d / "other.json", files, "dice 1 2 3", capsys)
    code, out, _ = run([*base, str(other)], capsys)
    assert code == 1 and "- seed_source:" in out


def test_verify_with_a_bad_announcement_is_bad_input(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    d = files["dir"]
    good = draw_to(d / "good.json", files, f"{SOURCE} 3 6 1 2", capsys)
    bad = d / "bad.json"
    bad.write_text(files["announcement"].read_text(encoding="utf-8").replace(
        '"kind": "draw"', '"kind": "draw", "kind": "plan"'), encoding="utf-8")  # fmt: skip
    for path, needle in ((bad, "duplicate key"), (d / "missing.json", "cannot read")):
        code, out, err = run(["verify", "--registry", str(files["registry"]), "--announcement",
                              str(path), str(good)], capsys)  # fmt: skip
        assert code == 2 and out == ""
        assert err.count("\n") == 1 and needle in err and err.startswith("randsupervise verify")
    code, _, err = run(["verify", "--registry", str(files["registry"]), "--reveals",
                        str(bad), str(good)], capsys)  # fmt: skip
    assert code == 2 and "--reveals needs --announcement" in err


def test_announce_refuses_a_seed_dated_on_the_announcement(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        ["announce", "--registry", str(files["registry"]), *DRAW, "--seed-rule", SOURCE,
         "--seed-date", "2024-02-20", "--date", "2024-02-20"], capsys,
    )  # fmt: skip
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "seed_rule.date" in err


def test_commit_announce_reveal_verify(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    d = files["dir"]
    sealed = {}
    for party, text in (("局", "4 4 1 7"), ("纪检组", "2 9 9")):
        code, out, _ = run(["commit", "--party", party, "--text", text], capsys)
        assert code == 0
        sealed[party] = json.loads(out)
    commitments = [f"{p}={s['commitment']['commitment']}" for p, s in sealed.items()]
    code, out, err = run(
        ["announce", "--registry", str(files["registry"]), *DRAW, "--seed-rule",
         "reveals on the bureau's site", "--seed-date", "2024-03-01", "--date", "2024-02-20",
         *[x for c in commitments for x in ("--commitment", c)]], capsys,
    )  # fmt: skip
    assert code == 0, err
    ann = d / "sealed.json"
    ann.write_text(out, encoding="utf-8")
    reveals = d / "reveals.json"
    reveals.write_text(json.dumps([s["reveal"] for s in sealed.values()], ensure_ascii=False),
                       encoding="utf-8")  # fmt: skip
    from randsupervise.draw import Seed

    seed = Seed.from_contributions(["2 9 9", "4 4 1 7"])
    receipt = d / "r.json"
    from randsupervise.draw import draw
    from randsupervise.model import TargetRegistry

    reg = TargetRegistry.from_columns(id=[r.split(",")[0] for r in ROWS],
                                      risk_class=[r.split(",")[1] for r in ROWS])  # fmt: skip
    r = draw(reg, seed=seed, stream="2024/G01", ratios={"A": 0.1, "B": 0.2}, batches=2)
    receipt.write_text(r.receipt.to_json(), encoding="utf-8")
    base = ["verify", "--registry", str(files["registry"]), "--announcement", str(ann)]
    code, out, _ = run([*base, "--reveals", str(reveals), str(receipt)], capsys)
    assert code == 0, out
    forged = json.loads(reveals.read_text(encoding="utf-8"))
    forged[1]["text"] = "2 9 8"
    reveals.write_text(json.dumps(forged, ensure_ascii=False), encoding="utf-8")
    code, out, _ = run([*base, "--reveals", str(reveals), str(receipt)], capsys)
    assert code == 1 and "纪检组" in out


def test_announce_as_a_subprocess(files: dict[str, Path]) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "randsupervise", "announce", "--registry",
         str(files["registry"]), *DRAW, "--seed-rule", SOURCE, "--seed-date", "2024-03-01",
         "--date", "2024-03-01x"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "YYYY-MM-DD" in proc.stderr


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["--commitment", "no-equals"], "expected PARTY=HEX"),
        (["--commitment", "局=" + "0" * 64, "--commitment", "局=" + "1" * 64], "named twice"),
        (["--commitment", "局=xyz"], "64 lower-case hex digits"),
        (["--missing", "others"], "--missing needs --commitment"),
    ],
)
def test_announce_bad_commitments_are_bad_input(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str], extra: list[str], needle: str
) -> None:
    code, out, err = run(
        ["announce", "--registry", str(files["registry"]), *DRAW, "--seed-rule", SOURCE,
         "--seed-date", "2024-03-01", "--date", "2024-02-20", *extra], capsys,
    )  # fmt: skip
    assert code == 2 and out == "" and err.count("\n") == 1 and needle in err, err


def test_publish_announcement_and_verify_reads_the_published_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["publish", "announcement", "--sample", "--out", str(tmp_path)], capsys)
    assert code == 0, err
    names = sorted(Path(p).name for p in out.split())
    assert names == ["announcement-announcement.csv", "announcement-draws.csv",
                     "announcement.html", "announcement.json", "announcement.xlsx"]  # fmt: skip
    code, out, err = run(["publish", "plan", "--sample", "--format", "json", "--out",
                          str(tmp_path)], capsys)  # fmt: skip
    assert code == 0, err
    code, out, err = run(["demo", "--json", "--publish", str(tmp_path / "year")], capsys)
    assert code == 0, err
    receipt = str(tmp_path / "year" / "audit" / "plan-receipt-2024.json")
    ok = ["verify", receipt, "--sample", "--announcement", str(tmp_path / "announcement.json")]
    code, out, err = run(ok, capsys)
    assert code == 0, out + err
    # another published document is not an announcement: bad input, naming the file
    wrong = ["verify", receipt, "--sample", "--announcement", str(tmp_path / "plan-2024.json")]
    code, out, err = run(wrong, capsys)
    assert code == 2 and "plan-2024.json" in err and "not an announcement" in err
