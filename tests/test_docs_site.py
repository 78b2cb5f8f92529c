"""The documentation site: every page is in the navigation, every public name has a
reference entry, and the example notebook runs (with the virtual environment's Python)."""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
import yaml
from jupyter_client import KernelManager
from nbclient import NotebookClient

import randsupervise

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
NOTEBOOK = DOCS / "examples" / "year.ipynb"
PACKAGES = [
    "model",
    "calendar",
    "draw",
    "assign",
    "cycle",
    "metrics",
    "interop",
    "publish",
    "testing",
]
SECTIONS = ["Tutorial", "How-to", "Explanation", "Reference", "Benchmarks"]


def _nav() -> list[Any]:
    # mkdocs.yml may hold python tags in other sections; the nav is plain data
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    nav: list[Any] = yaml.safe_load(text[text.index("\nnav:") :])["nav"]
    return nav


def _pages(entry: Any) -> list[str]:
    if isinstance(entry, str):
        return [entry]
    if isinstance(entry, list):
        return [p for e in entry for p in _pages(e)]
    if isinstance(entry, dict):
        return [p for v in entry.values() for p in _pages(v)]
    return []


def test_every_page_is_in_the_nav_and_every_nav_entry_exists() -> None:
    in_nav = set(_pages(_nav()))
    # a translation (page.zh.md) takes its English page's place in the nav
    on_disk = {
        p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md") if not p.name.endswith(".zh.md")
    }
    assert on_disk - in_nav == set(), "pages missing from the nav in mkdocs.yml"
    assert in_nav - on_disk == set(), "nav entries without a page"


def test_the_nav_is_organised_as_tutorial_howto_explanation_reference() -> None:
    titles = [next(iter(e)) for e in _nav() if isinstance(e, dict)]
    positions = [next(i for i, t in enumerate(titles) if t.startswith(s)) for s in SECTIONS]
    assert positions == sorted(positions), titles


def _documented_modules() -> set[str]:
    out: set[str] = set()
    for page in DOCS.rglob("*.md"):
        out |= set(re.findall(r"^::: *([\w.]+)", page.read_text(encoding="utf-8"), re.M))
    return out


def _public_names() -> list[tuple[str, str]]:
    names = [("randsupervise", n) for n in randsupervise.__all__]
    for pkg in PACKAGES:
        mod = importlib.import_module(f"randsupervise.{pkg}")
        names += [(mod.__name__, n) for n in mod.__all__]
    strategies = importlib.import_module("randsupervise.testing.strategies")
    names += [(strategies.__name__, n) for n in strategies.__all__]
    return names


@pytest.mark.parametrize(("package", "name"), _public_names())
def test_every_public_name_has_a_reference_entry(package: str, name: str) -> None:
    documented = _documented_modules()
    for module in sorted(documented):
        mod = importlib.import_module(module)
        if name in getattr(mod, "__all__", ()) or (module == package and hasattr(mod, name)):
            return
    obj = getattr(importlib.import_module(package), name)
    home = getattr(obj, "__module__", None)
    assert home in documented, f"{package}.{name} (defined in {home}) has no ::: reference entry"


def test_the_python3_kernel_is_this_environment() -> None:
    # jupyter_client runs the native "python3" kernel with the interpreter running the tests
    cmd = KernelManager(kernel_name="python3").format_kernel_cmd()
    assert Path(cmd[0]).resolve() == Path(sys.executable).resolve()


def test_the_notebook_is_committed_without_outputs() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)


def test_the_example_notebook_runs(tmp_path: Path) -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        nb, kernel_name="python3", timeout=60, resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError naming the failing cell
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any(o.get("data", {}).get("image/png") for o in outputs), "the plots were not drawn"
