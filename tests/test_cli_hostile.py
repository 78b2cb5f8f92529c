"""The command line under careless and hostile input: exit 2 with one line, warnings for
options that draw nothing, and never a traceback (run as a subprocess, as users run it)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = str(Path(__file__).parents[1] / "src")


def cli(*args: str | bytes, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": SRC, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "randsupervise", *args], capture_output=True,
                          cwd=cwd, env=env, timeout=120)  # fmt: skip


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("cli")
    rows = "".join(f"T{i:03},{'ABCD'[i % 4]},{('东城镇', '西城镇')[i % 2]}\n" for i in range(40))
    (tmp / "t.csv").write_text("id,risk_class,region\n" + rows, encoding="utf-8")
    return tmp


BASE = ("draw", "--registry", "t.csv", "--seed", "dice 1 2 3", "--stream", "s")


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (("--ratio", "A=0.1", "--ratio", "A=0.9"), "--ratio 'A' is given twice"),
        (("--count", "B=1", "--count", "B=2"), "--count 'B' is given twice"),
        (("--ratio", "A=lots"), "is not a float"),
        (("--ratio", "=0.1"), "expected CLASS=VALUE"),
        (("--batches", "0"), "batches"),
        (("--ratio", "A=1.5"), "ratio"),
        (("--floor", "0.1"), "--floor needs --burden"),
        (
            ("--ratio", "A=0.1", "--method", "pareto", "--burden", "h.json", "--floor", "0.1"),
            "cannot read h.json",
        ),
    ],
)
def test_bad_draw_options_exit_2_with_one_line(
    folder: Path, extra: tuple[str, ...], needle: str
) -> None:
    res = cli(*BASE, *extra, cwd=folder)
    err = res.stderr.decode("utf-8")
    assert res.returncode == 2, err
    assert err.count("\n") == 1 and needle in err and "Traceback" not in err


def test_a_seed_that_is_not_utf8_is_bad_input(folder: Path) -> None:
    res = cli("draw", "--registry", "t.csv", "--seed", b"dice \xff\xfe", "--stream", "s",
              "--ratio", "A=0.1", cwd=folder)  # fmt: skip
    err = res.stderr.decode("utf-8")
    assert res.returncode == 2 and "--seed: not valid UTF-8 text" in err, err


def test_options_that_draw_nothing_warn_on_stderr(folder: Path) -> None:
    res = cli(*BASE, "--ratio", "A=0.5", "--where", "region=北城镇", cwd=folder)
    err = res.stderr.decode("utf-8")
    assert res.returncode == 0 and "matches no row" in err
    res = cli(*BASE, "--ratio", "A=0.5", cwd=folder)
    err = res.stderr.decode("utf-8")
    assert res.returncode == 0 and "['B', 'C', 'D'] have no --ratio or --count" in err
    res = cli(*BASE, "--ratio", "*=0.5", cwd=folder)
    assert res.returncode == 0 and res.stderr == b""
