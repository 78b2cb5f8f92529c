"""Trust: one receipt design, strict reading, deep immutability, and every receipt the
library writes verifying through the one ``verify`` (API and command line).

Each promise is tested from outside: receipts go through JSON text, the command line runs
as a subprocess, and a second checker written from ``docs/spec/`` with the standard
library only (``tests/outsider``) agrees with the library on the vectors.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from randsupervise._core.canonical import canonical_json, digest
from randsupervise._core.frozen import thaw
from randsupervise.assign import CancelReason, VisitRequest, assign, cancel, replace
from randsupervise.cycle import run_plan
from randsupervise.demo import demo_inputs
from randsupervise.draw import BurdenHistory, History, ItemRule, Receipt, Seed, draw
from randsupervise.errors import ValidationError
from randsupervise.model import TargetRegistry
from randsupervise.model.sample import sample_inspectors
from randsupervise.receipts import read_receipt, verify

HERE = Path(__file__).parent
VECTORS: dict[str, Any] = json.loads((HERE / "vectors" / "receipts_v2.json").read_text("utf-8"))
sys.path.insert(0, str(HERE / "outsider"))
import receipt_check  # noqa: E402  (the outsider checker, standard library only)

SEED = "2025-03-01 摇号 3 6 1 2 5 5 4 1"
DEPT = "文化市场综合行政执法大队"


def _register(n: int = 80) -> TargetRegistry:
    return TargetRegistry.from_columns(
        id=[f"F{i:03}" for i in range(n)],
        risk_class=["ABCD"[i % 4] for i in range(n)],
        region=[("东城镇", "西城镇")[i % 2] for i in range(n)],
    )


REG = _register()
RATIOS = {"A": 0.1, "B": 0.2, "C": 0.5, "D": 1.0}


# ------------------------------------------------------------- canonical JSON and vectors


@pytest.mark.parametrize("case", VECTORS["numbers"], ids=lambda c: repr(c["value"]))
def test_number_vectors_match_the_library_and_the_outsider(case: dict[str, Any]) -> None:
    assert canonical_json(case["value"]) == case["jcs"]
    assert receipt_check.jcs(case["value"]) == case["jcs"]


@pytest.mark.parametrize("case", VECTORS["values"], ids=range(len(VECTORS["values"])))
def test_value_vectors_match_the_library_and_the_outsider(case: dict[str, Any]) -> None:
    assert canonical_json(case["value"]) == case["jcs"] == receipt_check.jcs(case["value"])
    assert digest(case["value"]) == case["digest"]


@settings(max_examples=300)
@given(st.floats(allow_nan=False, allow_infinity=False) | st.integers(-(2**53), 2**53))
def test_numbers_are_written_as_ecmascript_writes_them(x: float) -> None:
    assert canonical_json(x) == receipt_check.jcs(x)
    assert float(canonical_json(x)) == x


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_javascript_json_stringify_agrees_on_every_vector() -> None:
    """RFC 8785 is what JSON.stringify writes with sorted keys: a JavaScript reader needs no
    library of ours to recompute a digest."""
    script = """
    const v = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const member = (x) => (k) => JSON.stringify(k) + ":" + canon(x[k]);
    const canon = (x) => Array.isArray(x) ? "[" + x.map(canon).join(",") + "]"
      : (x !== null && typeof x === "object")
        ? "{" + Object.keys(x).sort().map(member(x)).join(",") + "}"
        : JSON.stringify(x);
    const out = [...v.numbers, ...v.values].map(c => canon(c.value) === c.jcs);
    out.push(canon(v.draw.receipt) === canon(JSON.parse(JSON.stringify(v.draw.receipt))));
    console.log(JSON.stringify(out));
    """
    path = HERE / "vectors" / "receipts_v2.json"
    res = subprocess.run(["node", "-e", script, str(path)], capture_output=True, text=True,
                         timeout=60, check=True)  # fmt: skip
    assert all(json.loads(res.stdout))


def test_values_without_a_canonical_form_are_refused() -> None:
    for bad in (math.nan, math.inf, 2**53 + 1, "\ud800", {1: "x"}, {"a": object()}):
        with pytest.raises(ValueError):
            canonical_json(bad)


def test_vector_receipts_verify_with_the_library_and_the_outsider() -> None:
    reg = TargetRegistry.from_columns(**VECTORS["draw"]["register"])
    receipt = VECTORS["draw"]["receipt"]
    assert receipt["receipt_digest"] == receipt_check.receipt_digest(receipt)
    assert verify(json.dumps(receipt), registry=reg, expected_seed=receipt["seed_source"]).ok
    assert receipt_check.check_draw(receipt, VECTORS["draw"]["register"]) == []
    visits = [VisitRequest(**v) for v in VECTORS["assignment"]["visits"]]
    chain = VECTORS["assignment"]["receipts"]
    for r in chain:
        assert r["receipt_digest"] == receipt_check.receipt_digest(r)
    assert verify(chain, visits=visits, pool=sample_inspectors()).ok


# ------------------------------------------------- a second implementation on many draws


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 120),
    seed=st.text(min_size=1, max_size=12).filter(lambda t: t.split() != []),
    ratios=st.fixed_dictionaries({c: st.sampled_from([0.0, 0.05, 0.1, 0.3, 1.0]) for c in "ABCD"}),
    batches=st.integers(1, 4),
)
def test_the_outsider_checker_agrees_with_every_draw(
    n: int, seed: str, ratios: dict[str, float], batches: int
) -> None:
    reg = _register(n)
    cols = {"id": reg.ids.tolist(), "risk_class": list(reg.column("risk_class")),
            "region": list(reg.column("region"))}  # fmt: skip
    receipt = draw(reg, seed=seed, stream="s/1", ratios=ratios, batches=batches).receipt
    assert receipt_check.check_draw(receipt.to_dict(), cols) == []
    # and the outsider catches a selection the register does not give
    forged = receipt.to_dict()
    stratum = next((k for k, v in forged["strata"].items() if v["selected"]), None)
    if stratum is not None and forged["strata"][stratum]["population"] > len(
        forged["strata"][stratum]["selected"]
    ):
        sel = forged["strata"][stratum]["selected"]
        outside = next(u for u in cols["id"] if u not in sel and
                       cols["risk_class"][cols["id"].index(u)] == stratum)  # fmt: skip
        sel[-1] = outside
        assert f"strata.{stratum}.selected" in receipt_check.check_draw(forged, cols)


# ------------------------------------------------------------ every receipt kind verifies


def _every_receipt() -> dict[str, tuple[Any, dict[str, Any]]]:
    """Each kind of receipt the library writes, with the inputs that verify it."""
    history = [("F000", "K01", 1), ("F004", "K01", 1), ("F008", "G02", 1)]
    item = ItemRule(id="K01", yearly_frequency_limit=1)
    burden = {"2023": ["F001", "F005", "F009"], "2024": ["F002", "F006"]}
    out: dict[str, tuple[Any, dict[str, Any]]] = {
        "draw": (draw(REG, seed=SEED, stream="p", ratios=RATIOS).receipt, {"registry": REG}),
        "batched": (draw(REG, seed=SEED, stream="b", ratios=RATIOS, batches=3).receipt,
                    {"registry": REG}),
        "pareto": (draw(REG, seed=SEED, stream="w", counts={"A": 4}, method="pareto").receipt,
                   {"registry": REG}),
        "frequency": (draw(REG, seed=SEED, stream="f", ratios=RATIOS, item=item,
                           history=History.from_entries(history)).receipt,
                      {"registry": REG, "history": history}),
        "burden": (draw(REG, seed=SEED, stream="u", ratios=RATIOS, floor=0.05,
                        history=History.from_periods(burden)).receipt,
                   {"registry": REG, "history": History.from_periods(burden)}),
    }  # fmt: skip
    import dask.dataframe as dd
    import pandas as pd

    from randsupervise.draw.dask import draw_dask

    frame = pd.DataFrame({"id": REG.ids.tolist(), "risk_class": list(REG.column("risk_class")),
                          "region": list(REG.column("region"))})  # fmt: skip
    ddf = dd.from_pandas(frame, npartitions=3)
    out["dask"] = (
        draw_dask(ddf, seed=SEED, stream="k", ratios=RATIOS, batches=2, scheduler="sync").receipt,
        {"registry": REG},
    )
    visits = [VisitRequest(id=f"V{i}", target=f"F{i:03}", region="东城镇", departments=[DEPT])
              for i in range(8)]  # fmt: skip
    pool = sample_inspectors()
    a = assign(visits, pool, seed=Seed.from_text(SEED), stream="teams")
    chain = cancel(replace(a, [a.team("V0").officers[0]]), ["V3"], CancelReason.DEREGISTERED)
    out["assignment"] = (a.receipt, {"visits": visits, "pool": pool})
    out["replacement chain"] = (chain.receipts, {"visits": visits, "pool": pool})
    plan, registry, items, pool2, seed, cal = demo_inputs(2024)
    run = run_plan(plan, registry, items, pool2, seed=seed, calendar=cal)
    out["plan"] = (run.receipt, {"plan": plan, "registry": registry, "items": items,
                                 "pool": pool2, "calendar": cal})  # fmt: skip
    return out


EVERY = _every_receipt()


def _text(receipt: Any) -> str:
    if isinstance(receipt, Receipt):
        return receipt.to_json()
    if isinstance(receipt, tuple):
        return json.dumps([thaw(r) for r in receipt], ensure_ascii=False)
    return json.dumps(thaw(receipt), ensure_ascii=False)


@pytest.mark.parametrize("name", sorted(EVERY))
def test_every_receipt_verifies_through_the_one_verify(name: str) -> None:
    receipt, inputs = EVERY[name]
    report = verify(_text(receipt), **inputs)
    assert report.ok, str(report)
    kind, _ = read_receipt(_text(receipt))
    assert kind == report.kind


@pytest.mark.parametrize("name", sorted(EVERY))
def test_every_receipt_binds_its_announced_seed(name: str) -> None:
    """Trust leak 5: a receipt made under a seed other than the announced one fails."""
    receipt, inputs = EVERY[name]
    expected = SEED if name not in ("plan",) else demo_inputs(2024)[4].source
    assert verify(_text(receipt), expected_seed=expected, **inputs).ok
    report = verify(_text(receipt), expected_seed="another ceremony", **inputs)
    assert not report.ok
    assert any(d.path.endswith("seed") for d in report.differences)


def test_an_assignment_under_an_operators_seed_does_not_verify_against_the_announcement() -> None:
    visits = [VisitRequest(id="V1", target="F001", region="东城镇", departments=[DEPT])]
    pool = sample_inspectors()
    mine = assign(visits, pool, seed=Seed.from_text("chosen by the operator"), stream="t")
    assert verify(mine.receipts, visits=visits, pool=pool).ok  # self-consistent...
    bad = verify(mine.receipts, visits=visits, pool=pool, expected_seed=SEED)  # ...not announced
    assert [d.path for d in bad.differences] == ["seed"]


# ------------------------------------------------------------------------ strict reading

_TEXT = json.dumps(EVERY["draw"][0].to_dict(), ensure_ascii=False, separators=(",", ":"))


@pytest.mark.parametrize(
    ("text", "path"),
    [
        (_TEXT.replace('"stream":', '"stream":"x","stream":', 1), "stream"),
        (_TEXT.replace('"registry_size":80', '"registry_size":NaN', 1), "registry_size"),
        (_TEXT.replace('"registry_size":80', '"registry_size":Infinity', 1), "registry_size"),
        (_TEXT.replace('"registry_size":80', '"registry_size":1e400', 1), "registry_size"),
        (_TEXT.replace('"registry_size":80', '"registry_size":"80"', 1), "registry_size"),
        (_TEXT.replace('"stream":"p"', '"stream":"\\ud800"', 1), "stream"),
        (_TEXT.replace('"population":', '"populace":', 1), "strata.A.populace"),
        (_TEXT.replace('"batches":null', '"batches":null,"extra":1', 1), "extra"),
        (_TEXT.replace('"selected":[', '"selected":[7,', 1), "strata.A.selected[0]"),
        (
            _TEXT.replace(
                '"ticket":{', '"ticket":{"x":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]],', 1
            ),
            "ticket.x",
        ),
    ],
)
def test_malformed_receipts_are_bad_input_naming_the_path(text: str, path: str) -> None:
    with pytest.raises(ValidationError) as e:
        read_receipt(text)
    assert any((p.field or "").startswith(path) for p in e.value.problems), str(e.value)


def test_deep_nesting_is_refused_without_a_recursion_error() -> None:
    with pytest.raises(ValidationError, match="nested"):
        read_receipt("[" * 100_000 + "]" * 100_000)


# ---------------------------------------------------------------------- deep immutability


def test_receipts_are_deeply_immutable_and_conversions_copy() -> None:
    """Trust leak 4."""
    d = draw(REG, seed=SEED, stream="m", ratios=RATIOS)
    r = d.receipt
    edited = r.to_dict()
    edited["strata"]["A"]["selected"].append("F999")
    edited["policy"]["ratios"]["A"] = 0.9
    assert d.receipt == r and "F999" not in r.strata["A"]["selected"]
    assert r.policy["ratios"]["A"] == 0.1
    with pytest.raises(TypeError):
        r.strata["A"]["selected"].append("F999")  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        r.policy["ratios"]["A"] = 0.9  # type: ignore[index]
    source = r.to_dict()
    rebuilt = Receipt.from_dict(source)
    source["strata"]["A"]["selected"].clear()
    assert rebuilt == r  # from_dict kept a copy, not the caller's dicts
    a = EVERY["assignment"][0]
    with pytest.raises(TypeError):
        a["teams"].append({})
    plan_receipt = EVERY["plan"][0]
    with pytest.raises(TypeError):
        plan_receipt["draws"][0]["receipt"]["strata"]["A"]["selected"].append("x")


# ---------------------------------------------------- any single change is detected


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _leaves(v, (*path, k))] or [path]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _leaves(v, (*path, i))] or [path]
    return [path]


def _changed(value: Any, k: int) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1 + k
    if isinstance(value, str):
        return value + "x" if k % 2 else value[:-1] + ("0" if value[-1:] != "0" else "1")
    if value is None:
        return 0
    return [*value, "x"] if isinstance(value, list) else {**value, "x": 1}


def _set(data: Any, path: tuple[Any, ...], new: Any) -> Any:
    data = json.loads(json.dumps(data))
    target = data
    for key in path[:-1]:
        target = target[key]
    if path:
        target[path[-1]] = new
    return data


def _rejected(text: str, **inputs: Any) -> bool:
    try:
        return not verify(text, **inputs).ok
    except ValidationError:
        return True


def _outcome(receipt: Any) -> Any:
    """Who is drawn or assigned: what a forgery would want to change."""
    if isinstance(receipt, list):
        return [r["teams"] for r in receipt]
    return ({k: (v["selected"], v["tickets"]) for k, v in receipt["strata"].items()},
            receipt["batches"])  # fmt: skip


@pytest.mark.parametrize("name", ["batched", "frequency", "burden", "replacement chain"])
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_any_single_change_to_a_receipt_field_is_detected(name: str, data: st.DataObject) -> None:
    """Without resealing, the receipt's own digest catches any change. A forger who also
    recomputes ``receipt_digest`` is caught by the recomputation, except when the changed
    receipt is a true receipt of an equivalent request (e.g. a ``default_ratio`` that no
    stratum uses): then who is drawn is unchanged, and only the digest published with the
    receipt (or announced, docs/spec/receipts.md) tells the two texts apart."""
    receipt, inputs = EVERY[name]
    plain = json.loads(_text(receipt))
    path = data.draw(st.sampled_from(_leaves(plain)), label="path")
    k = data.draw(st.integers(0, 3), label="k")
    old = plain
    for key in path:
        old = old[key]
    forged = _set(plain, path, _changed(old, k))
    # resealing after changing the digest itself would only restore it
    reseal = data.draw(st.booleans(), label="reseal") and path[-1] != "receipt_digest"
    if reseal:  # the forger recomputes the receipt's own digest too
        for r in forged if isinstance(forged, list) else [forged]:
            body = {key: v for key, v in r.items() if key != "receipt_digest"}
            with contextlib.suppress(ValueError):
                r["receipt_digest"] = digest(body)
    if _rejected(json.dumps(forged, ensure_ascii=False), **inputs):
        return
    assert reseal, f"an unsealed change at {path} verified"
    assert _outcome(forged) == _outcome(plain), f"a resealed change at {path} moved the draw"


@settings(max_examples=30, deadline=None)
@given(row=st.integers(0, 79), column=st.sampled_from(["id", "risk_class", "region", "drop"]))
def test_any_single_change_to_the_register_is_detected(row: int, column: str) -> None:
    receipt, _ = EVERY["batched"]
    cols = {"id": REG.ids.tolist(), "risk_class": list(REG.column("risk_class")),
            "region": list(REG.column("region"))}  # fmt: skip
    if column == "drop":
        cols = {k: v[:row] + v[row + 1 :] for k, v in cols.items()}
    elif column == "id":
        cols["id"][row] = "G" + cols["id"][row]
    elif column == "risk_class":
        cols["risk_class"][row] = "ABCD"[("ABCD".index(cols["risk_class"][row]) + 1) % 4]
    else:
        cols["region"][row] = "南城镇"
    report = verify(receipt.to_json(), registry=TargetRegistry.from_columns(**cols))
    assert "registry_digest" in {d.path for d in report.differences}


def test_a_changed_history_is_detected() -> None:
    receipt, inputs = EVERY["frequency"]
    fewer = inputs["history"][:-2]
    assert not verify(receipt.to_json(), registry=REG, history=fewer).ok
    receipt, inputs = EVERY["burden"]
    other = BurdenHistory.from_periods({"2023": ["F001", "F005"], "2024": ["F002", "F006"]})
    report = verify(receipt.to_json(), registry=REG, history=History(periods=other))
    assert "burden.history.digest" in {d.path for d in report.differences}


# ------------------------------------------------------------------ the command line


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    return subprocess.run([sys.executable, "-m", "randsupervise", *args], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=120)  # fmt: skip


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder as an outsider downloads it: register, receipts, visits, inspectors."""
    tmp = tmp_path_factory.mktemp("published")
    lines = ["id,risk_class,region"] + [
        f"{u},{c},{r}" for u, c, r in zip(REG.ids.tolist(), REG.column("risk_class"),
                                          REG.column("region"), strict=True)
    ]  # fmt: skip
    (tmp / "targets.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp / "draw.json").write_text(EVERY["batched"][0].to_json(), encoding="utf-8")
    (tmp / "teams.json").write_text(_text(EVERY["replacement chain"][0]), encoding="utf-8")
    visits = [v.to_record() for v in EVERY["replacement chain"][1]["visits"]]
    (tmp / "visits.json").write_text(json.dumps(visits, ensure_ascii=False), encoding="utf-8")
    pool = EVERY["replacement chain"][1]["pool"].to_records()
    (tmp / "inspectors.json").write_text(json.dumps(pool, ensure_ascii=False), encoding="utf-8")
    (tmp / "plan.json").write_text(_text(EVERY["plan"][0]), encoding="utf-8")
    return tmp


def test_cli_verifies_every_kind_with_exit_0(published: Path) -> None:
    runs = [
        ("draw.json", "--registry", "targets.csv", "--seed-text", SEED),
        ("teams.json", "--visits", "visits.json", "--inspectors", "inspectors.json"),
        ("plan.json", "--sample"),
    ]
    for args in runs:
        res = _cli("verify", *args, cwd=published)
        assert res.returncode == 0, res.stdout + res.stderr
        assert "receipt verified" in res.stdout and res.stderr == ""


def test_cli_exit_1_names_the_path_and_exit_2_is_one_line(published: Path) -> None:
    res = _cli("verify", "draw.json", "--registry", "targets.csv", "--seed-text", "other",
               cwd=published)  # fmt: skip
    assert res.returncode == 1 and "- seed: the seed is not the one announced" in res.stdout
    text = (published / "draw.json").read_text("utf-8")
    hostile = {
        "dup.json": text.replace('"stream":', '"stream": "x", "stream":', 1),
        "nan.json": text.replace('"registry_size": 80', '"registry_size": NaN', 1),
        "deep.json": "[" * 50_000 + "]" * 50_000,
        "type.json": text.replace('"registry_size": 80', '"registry_size": "80"', 1),
        "latin1.json": "not json \xe9",
        "other.json": '{"hello": "world"}',
    }
    for name, body in hostile.items():
        data = body.encode("latin-1") if name == "latin1.json" else body.encode("utf-8")
        (published / name).write_bytes(data)
    for args in [
        *[(name, "--registry", "targets.csv") for name in hostile],
        ("missing.json", "--registry", "targets.csv"),
        ("draw.json",),  # a draw receipt needs the register
        ("draw.json", "--registry", "targets.csv", "--sample"),  # an option of another kind
        ("plan.json",),
        ("teams.json", "--visits", "visits.json"),
    ]:
        res = _cli("verify", *args, cwd=published)
        assert res.returncode == 2, (args, res.stdout, res.stderr)
        assert res.stderr.count("\n") == 1 and "Traceback" not in res.stderr, res.stderr
        assert res.stderr.startswith("randsupervise verify: error: ")
