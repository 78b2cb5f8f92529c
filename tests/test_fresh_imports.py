"""Every module of the package imports on its own, in a fresh interpreter.

An import cycle hides when a test session has already imported the modules it runs
through (``randsupervise.testing.strategies`` once failed unless ``hypothesis`` had been
imported first, because Hypothesis's entry-point hook imports the strategies back). Each
module here gets its own ``python -c "import ..."``, with nothing imported before it, so
the first import a user's program makes is the one tested. Private modules are imported
too: none is meant to be unimportable on its own.
"""

from __future__ import annotations

import importlib.util
import os
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import randsupervise

SRC = Path(__file__).resolve().parents[1] / "src"


def _modules() -> list[str]:
    names = ["randsupervise"]
    for info in pkgutil.walk_packages(randsupervise.__path__, prefix="randsupervise."):
        names.append(info.name)
    return sorted(names)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    # this checkout's sources first, as the test session itself sees them
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), *filter(None, [env.get("PYTHONPATH")])])
    # a warning printed at import time is a problem too: it must show up on stderr
    env.pop("PYTHONWARNINGS", None)
    return env


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=_env(), timeout=120
    )


def test_the_walk_finds_the_whole_package() -> None:
    modules = _modules()
    assert len(modules) >= 40
    assert {"randsupervise.testing.strategies", "randsupervise.cli"} <= set(modules)


def _missing_extra(stderr: str) -> str | None:
    """The optional dependency whose absence made an import fail, if that is the cause."""
    match = re.search(r"ModuleNotFoundError: No module named '([^'.]+)", stderr)
    if match is None or match.group(1) == "randsupervise":
        return None
    return match.group(1) if importlib.util.find_spec(match.group(1)) is None else None


@pytest.mark.parametrize("module", _modules())
def test_module_imports_in_a_fresh_interpreter(module: str) -> None:
    done = _run("-c", f"import {module}")
    extra = _missing_extra(done.stderr) if done.returncode else None
    if extra is not None:
        pytest.skip(f"{module} needs the optional dependency {extra!r}, not installed here")
    assert done.returncode == 0 and done.stderr == "", done.stderr


def test_the_command_line_shows_its_help() -> None:
    done = _run("-m", "randsupervise", "--help")
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert "usage" in done.stdout.lower()
