"""Tables in and out (randsupervise.interop) and the CLI's register files.

The 50,000-firm register of a county platform, with Chinese headers and values, is read
from a pandas DataFrame, a GB18030 CSV (through the CLI's reader), a Parquet file and a
Polars frame: every path gives the same register digest as the register built from
plain English columns. Every to/from pair round-trips; hostile tables are refused with a
ValidationError naming the column and the row label.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from randsupervise.cli import _read_registry, main
from randsupervise.draw import draw
from randsupervise.errors import ValidationError
from randsupervise.model import TargetRegistry
from randsupervise.model.sample import sample_inspectors, sample_items, sample_registry

pa = pytest.importorskip("pyarrow")
pd = pytest.importorskip("pandas")
pq = pytest.importorskip("pyarrow.parquet")

from randsupervise.interop import (  # noqa: E402 - after the optional imports
    inspectors_from,
    items_from,
    registry_from,
    to_arrow,
    to_pandas,
    to_polars,
)

N = 50_000
STATUS_ZH = ["存续", "在业", "注销", "吊销，未注销", "迁出", "停业"]
STATUS_EN = ["active", "active", "deregistered", "revoked", "moved_out", "suspended"]
RISK_ZH = ["低风险", "一般风险", "较高风险", "高风险"]
KIND_ZH = ["企业", "个体工商户", "农民专业合作社"]
KIND_EN = ["enterprise", "sole_trader", "farmer_cooperative"]
REGIONS = ["东城镇", "西城镇", "南山乡", "北河镇"]
INDUSTRIES = ["网吧", "娱乐场所", "旅行社", "演出经纪"]


def _county(n: int = N) -> tuple[dict[str, Any], dict[str, Any]]:
    """The same register twice: as a platform exports it, and as plain columns."""
    i = np.arange(n)
    ids = np.char.add("9135", np.char.zfill(((i * 7919) % 10**9).astype(str), 14))
    s = (i * 31) % len(STATUS_ZH)
    k = (i // 3) % 3
    r = (i * 7) % 4
    names = np.char.add("示例企业", i.astype(str))
    region = np.asarray(REGIONS)[i % 4]
    industry = np.asarray(INDUSTRIES)[(i // 5) % 4]
    # platform header: (register field, the platform's column, the register's column)
    columns = {
        "统一社会信用代码": ("id", ids, ids),
        "企业名称": ("name", names, names),
        "主体类型": ("kind", np.asarray(KIND_ZH)[k], np.asarray(KIND_EN)[k]),
        "所属区域": ("region", region, region),
        "行业": ("industry", industry, industry),
        "风险等级": ("risk_class", np.asarray(RISK_ZH)[r], np.asarray(list("ABCD"))[r]),
        "登记状态": ("status", np.asarray(STATUS_ZH)[s], np.asarray(STATUS_EN)[s]),
    }
    zh = {header: platform for header, (_, platform, _) in columns.items()}
    zh["法定代表人"] = np.asarray(["张三", "李四"])[i % 2]  # a column the register ignores
    en = {field: column for field, _, column in columns.values()}
    return zh, en


@pytest.fixture(scope="module")
def county() -> tuple[Any, TargetRegistry]:
    zh, en = _county()
    return pd.DataFrame(zh), TargetRegistry.from_columns(**en)


# ------------------------------------------------------------------------------ the county
def test_county_register_from_pandas_with_chinese_headers(county: Any) -> None:
    df, expected = county
    reg = registry_from(df)
    assert len(reg) == N
    assert reg.digest() == expected.digest()
    # a filtered frame keeps its index labels; the register is the same rows
    part = df[df["所属区域"] == "东城镇"]
    assert registry_from(part).digest() == expected.filter(region="东城镇").digest()


def test_county_register_from_gb18030_csv_and_parquet(
    county: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    df, expected = county
    csv_path = tmp_path / "名录.csv"
    df.to_csv(csv_path, index=False, encoding="gb18030")
    reg, has_risk = _read_registry(str(csv_path))
    assert has_risk and reg.digest() == expected.digest()
    assert "GB18030" in capsys.readouterr().err  # detected, and said so
    reg, _ = _read_registry(str(csv_path), "gbk")
    assert reg.digest() == expected.digest()
    pq_path = tmp_path / "名录.parquet"
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), pq_path)
    reg, has_risk = _read_registry(str(pq_path))
    assert has_risk and reg.digest() == expected.digest()
    assert registry_from(pq.read_table(pq_path)).digest() == expected.digest()


def test_county_register_from_polars_and_arrow(county: Any) -> None:
    pl = pytest.importorskip("polars")
    df, expected = county
    assert registry_from(pl.from_pandas(df)).digest() == expected.digest()
    table = pa.Table.from_pandas(df, preserve_index=False)
    assert registry_from(table).digest() == expected.digest()
    # several chunks, dictionary-typed columns and large strings read alike
    chunked = pa.concat_tables([table.slice(0, 1000), table.slice(1000)])
    assert registry_from(chunked).digest() == expected.digest()
    dicts = table.set_column(6, "登记状态", table.column("登记状态").dictionary_encode())
    assert registry_from(dicts).digest() == expected.digest()
    large = table.cast(
        pa.schema([f.with_type(pa.large_string()) for f in table.schema]),
    )
    assert registry_from(large).digest() == expected.digest()
    assert (
        registry_from(table.to_batches()[0]).digest()
        == registry_from(table.slice(0, table.to_batches()[0].num_rows)).digest()
    )


# ------------------------------------------------------------------------------ round trips
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_registry_round_trips(lang: str) -> None:
    pytest.importorskip("polars")
    reg = sample_registry()
    assert registry_from(to_arrow(reg, lang=lang)).digest() == reg.digest()
    assert registry_from(to_pandas(reg, lang=lang)).digest() == reg.digest()
    assert registry_from(to_polars(reg, lang=lang)).digest() == reg.digest()
    bare = TargetRegistry.from_columns(id=["a", "b"], risk_class=["A", "D"])  # no names
    assert registry_from(to_arrow(bare, lang=lang)).digest() == bare.digest()
    empty = TargetRegistry.from_columns(id=[], risk_class=[])
    assert registry_from(to_arrow(empty, lang=lang)).digest() == empty.digest()


def test_empty_tables_keep_their_columns() -> None:
    from randsupervise.model import InspectorPool, ItemList

    for obj, build in ((InspectorPool(inspectors=[]), inspectors_from),
                       (ItemList(items=[]), items_from)):  # fmt: skip
        table = to_arrow(obj)
        assert table.num_rows == 0 and table.schema == to_arrow(obj).schema
        assert build(table).digest() == obj.digest()
    assert to_arrow(sample_inspectors()).schema == to_arrow(InspectorPool(inspectors=[])).schema


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_pool_and_items_round_trip(lang: str) -> None:
    pool, items = sample_inspectors(), sample_items()
    assert inspectors_from(to_arrow(pool, lang=lang)).digest() == pool.digest()
    assert inspectors_from(to_pandas(pool, lang=lang)).digest() == pool.digest()
    assert items_from(to_arrow(items, lang=lang)).digest() == items.digest()
    # a pandas frame has no schema metadata: the list's bound is given again
    back = items_from(to_pandas(items, lang=lang), max_key_items=items.max_key_items)
    assert back.digest() == items.digest()


def test_types_are_real_dates_and_categories() -> None:
    reg = sample_registry()
    df = to_pandas(reg)
    for col in ("kind", "region", "industry", "risk_class", "status"):
        assert str(df[col].dtype) == "category", col
    assert list(df["risk_class"].cat.categories) == ["A", "B", "C", "D"]
    assert df["weight"].dtype == np.float64
    t = to_arrow(reg)
    assert pa.types.is_dictionary(t.schema.field("status").type)


@pytest.fixture(scope="module")
def demo() -> Any:
    from randsupervise.demo import run_demo_year

    return run_demo_year(2024)


def test_plan_run_state_and_reports_out(demo: Any) -> None:
    run = to_arrow(demo.run)
    assert run.num_rows == len(demo.run.visits)
    assert run.schema.field("start").type == pa.date32()
    assert run.column("batch").to_pylist()[0] == list(demo.run.visits[0].batches)
    assert run.column("visit").to_pylist() == [v.id for v in demo.run.visits]
    df = to_pandas(demo.run, lang="zh")
    assert "批次" in df.columns and str(df["开始日期"].dtype).startswith("datetime64")
    rec = to_arrow(demo.run.draws[0])
    assert rec.column("target").to_pylist() == list(demo.run.draws[0].selected)
    assert rec.column("batch").to_pylist() == list(demo.run.draws[0].batch_of)
    state = to_pandas(demo.state)
    assert len(state) == len(demo.state)
    assert str(state["deadline"].dtype).startswith("datetime64")
    assert str(state["state"].dtype) == "category"
    firsts = [r["deadline"] for r in demo.state.to_records()]
    got = to_arrow(demo.state).column("deadline").to_pylist()
    assert got == [None if d is None else dt.date.fromisoformat(d) for d in firsts]
    report = to_arrow(demo.report)
    assert report.num_rows == len(demo.report.to_records())
    assert to_arrow(demo.report.coverage).num_rows == len(demo.report.coverage.rows)
    assert to_arrow(demo.feedback).num_rows == len(demo.feedback.moves)


def test_draw_out_with_inclusion_probabilities() -> None:
    reg = sample_registry()
    d = draw(reg, seed="s", stream="x", ratios={"A": 0.1, "B": 0.2, "C": 0.5, "D": 1.0},
             batches=3)  # fmt: skip
    t = to_arrow(d)
    assert t.column("id").to_pylist() == list(d.ids)
    assert t.column("batch").to_pylist() == d.batch_of.tolist()
    assert (
        t.column("inclusion_probability").to_pylist()
        == d.inclusion_probabilities[d.positions].tolist()
    )
    assert t.column("stratum").to_pylist() == [reg[i].risk_class.name for i in d.ids]
    full = to_pandas(d, population=True)
    assert len(full) == len(reg) and int(full["selected"].sum()) == len(d.ids)
    # the probabilities sum to the expected sample size of each stratum
    for label, s in d.strata.items():
        got = full.loc[full["stratum"] == label, "inclusion_probability"].sum()
        assert got == pytest.approx(s.expected_size)


# ------------------------------------------------------------------------------ values
def test_nulls_in_optional_text_and_names() -> None:
    df = pd.DataFrame(
        {
            "统一社会信用代码": ["T1", "T2", "T3"],
            "企业名称": ["甲", None, "丙"],
            "风险等级": ["A", "b", 3],
            "所属区域": ["东城镇", np.nan, None],
            "行业": [None, None, None],
        }
    )
    reg = registry_from(df.astype({"风险等级": str}).assign(风险等级=["A", "B", "D"]))
    assert reg["T2"].name == "T2" and reg["T2"].region == "" and reg["T1"].industry == ""
    numeric = registry_from({"id": ["a", "b"], "risk_class": pa.array([0, 3])})
    assert [t.risk_class.name for t in numeric] == ["A", "D"]


def test_multi_valued_cells_and_chinese_flags() -> None:
    t = pa.table(
        {
            "编号": ["I1", "I2"],
            "姓名": ["张三", "李四"],
            "部门": ["文旅局", "文旅局"],
            "持证": ["是", "否"],
            "执法证号": ["C-1", None],
            "专业领域": ["网络文化;娱乐场所", "旅游；演出"],
            "负责区域": ["东城镇", "东城镇;西城镇"],
        }
    )
    pool = inspectors_from(t)
    assert pool["I1"].expertise == {"网络文化", "娱乐场所"}
    assert pool["I2"].expertise == {"旅游", "演出"} and not pool["I2"].certified
    assert inspectors_from(t, separator="|")["I1"].expertise == {"网络文化;娱乐场所"}
    lists = t.set_column(5, "专业领域", pa.array([["网络文化"], ["旅游", "演出"]]))
    assert inspectors_from(lists)["I2"].expertise == {"旅游", "演出"}


def test_caller_mapping_wins() -> None:
    t = pa.table({"代码": ["T1", "T2"], "等级": ["高风险", "低风险"], "状态": ["迁出", "存续"]})
    reg = registry_from(t, columns={"id": "代码", "risk_class": "等级"})
    assert reg["T1"].risk_class.name == "D" and reg["T1"].status == "moved_out"


# ------------------------------------------------------------------------------ hostile
def _problems(call: Any) -> list[str]:
    with pytest.raises(ValidationError) as info:
        call()
    return [str(p) for p in info.value.problems]


def test_bad_cells_are_named_by_index_label_and_header() -> None:
    df = pd.DataFrame(
        {"统一社会信用代码": ["T1", "T2", "T2"], "风险等级": ["高风险", "极高", "低风险"],
         "登记状态": ["存续", "存续", "休眠"]},
        index=["甲", "乙", "丙"],
    )  # fmt: skip
    got = _problems(lambda: registry_from(df))
    assert any(
        "index label '乙'" in p and "风险等级 (risk_class)" in p and "极高" in p for p in got
    )
    assert any("index label '丙'" in p and "登记状态 (status)" in p and "休眠" in p for p in got)
    assert any("or in Chinese: 存续" in p for p in got)
    assert any("duplicate id (also on rows ['丙'])" in p for p in got)
    by_int = df.set_axis([100, 200, 300])
    with pytest.raises(ValidationError) as info:
        registry_from(by_int)
    assert {p.row for p in info.value.problems} == {200, 300}
    pool = pd.DataFrame({"编号": ["I1"], "姓名": ["张"], "部门": ["d"], "持证": ["也许"],
                         "负责区域": ["东城镇"]}, index=["x9"])  # fmt: skip
    got = _problems(lambda: inspectors_from(pool))
    assert any("index label 'x9'" in p and "持证 (certified)" in p for p in got)


@pytest.mark.parametrize(
    ("table", "kwargs", "needle"),
    [
        (None, {}, "must be a table"),
        ("id,risk_class", {}, "must be a table"),
        ([{"id": "a"}], {}, "must be a table"),
        ({"name": ["a"]}, {}, "no column for 'id'"),
        ({"id": ["a"]}, {}, "no column for 'risk_class'"),
        ({"id": ["a"], "risk_class": ["A"]}, {"columns": {"id": "代码"}}, "no such column"),
        ({"id": ["a"], "risk_class": ["A"]}, {"columns": {"colour": "id"}}, "unknown field"),
        ({"id": ["a"], "risk_class": ["A"]}, {"columns": ["id"]}, "must be a mapping"),
        ({"id": ["a"], "风险等级": ["A"], "信用风险等级": ["B"]}, {}, "could each be"),
        ({"id": [1, 2], "risk_class": ["A", "B"]}, {}, "id must be a str"),
        ({"id": ["a", None], "risk_class": ["A", "B"]}, {}, "id is missing"),
        ({"id": ["a"], "risk_class": [None]}, {}, "risk class"),
        ({"id": ["a"], "risk_class": ["A"], "weight": ["1"]}, {}, "weight"),
        ({"id": ["a"], "risk_class": ["A"], "weight": [float("nan")]}, {}, "weight"),
        ({"id": ["a"], "risk_class": ["A"], "status": [None]}, {}, "status is missing"),
        ({"id": ["a"], "risk_class": ["A"], "登记状态": ["休眠"]}, {}, "登记状态 (status)"),
    ],
)
def test_hostile_registers(table: Any, kwargs: dict[str, Any], needle: str) -> None:
    got = _problems(lambda: registry_from(table, **kwargs))
    assert any(needle in p for p in got), got


def test_hostile_tables_of_other_kinds() -> None:
    dup = pa.Table.from_arrays([pa.array(["a"]), pa.array(["A"])], names=["id", "id"])
    assert any("more than once" in p for p in _problems(lambda: registry_from(dup)))
    t = pa.table({"编号": ["I1"], "姓名": ["张"], "部门": ["d"], "持证": [True], "负责区域": ["x"]})
    for bad in ("", " ", 3, None):
        got = _problems(lambda bad=bad: inspectors_from(t, separator=bad))  # type: ignore[misc]
        assert any("separator" in p for p in got)
    item = pa.table({"事项编号": ["K1"], "事项名称": ["n"], "实施部门": ["d"],
                     "事项类别": ["很重要"], "法律依据": ["l"], "检查内容": ["c"],
                     "检查方式": ["m"], "检查对象": ["企业"]})  # fmt: skip
    assert any("事项类别 (kind)" in p for p in _problems(lambda: items_from(item)))
    assert any("cannot make a table" in p for p in _problems(lambda: to_arrow(object())))
    reg = sample_registry()
    assert any("lang" in p for p in _problems(lambda: to_arrow(reg, lang="fr")))
    assert any("population" in p for p in _problems(lambda: to_pandas(reg, population=1)))
    mixed = pd.DataFrame({"id": ["a", 2], "risk_class": ["A", "B"]})
    got = _problems(lambda: registry_from(mixed))
    assert any("cannot be read as a table" in p and "column id" in p for p in got), got


# ------------------------------------------------------------------------------ CLI
def test_cli_encodings_columns_and_where(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    zh, en = _county(400)
    df = pd.DataFrame(zh).rename(columns={"风险等级": "等级"})
    expected = TargetRegistry.from_columns(**en)
    args = ["--seed", "dice 1 2 3", "--stream", "2024/1", "--ratio", "*=0.5"]
    receipts = []
    for enc in ("utf-8", "utf-8-sig", "gb18030"):
        path = tmp_path / f"{enc}.csv"
        df.to_csv(path, index=False, encoding=enc)
        where = ["--where", "登记状态=存续,在业", "--where", "region=东城镇，西城镇"]
        code = main(["draw", "--registry", str(path), "--column", "risk_class=等级", *args, *where])
        out, err = capsys.readouterr()
        assert code == 0, err
        assert ("GB18030" in err) == (enc == "gb18030")
        receipts.append(json.loads(out))
    assert receipts[0] == receipts[1] == receipts[2]
    assert receipts[0]["registry_digest"] == expected.digest()
    wanted = expected.filter(status="active", region=["东城镇", "西城镇"])
    assert sum(s["population"] for s in receipts[0]["strata"].values()) == len(wanted)
    # verify reads the same file the same way
    rpath = tmp_path / "receipt.json"
    rpath.write_text(json.dumps(receipts[0]), encoding="utf-8")
    code = main(["verify", "--registry", str(tmp_path / "gb18030.csv"), "--column",
                 "risk_class=等级", str(rpath)])  # fmt: skip
    assert code == 0, capsys.readouterr()


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--column", "colour=x"], "unknown field"),
        (["--column", "risk_class=没有"], "not in the file"),
        (["--column", "risk_class"], "expected CLASS=VALUE"),
        (["--encoding", "utf-8"], "not UTF-8 text"),
        (["--where", "region=a,,b"], "an empty value"),
    ],
)
def test_cli_hostile_register_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], needle: str
) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes("统一社会信用代码,风险等级\nT1,低风险\n".encode("gb18030"))
    code = main(["draw", "--registry", str(path), "--seed", "s", "--stream", "x",
                 "--ratio", "*=1", *argv])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and needle in err, err


def test_cli_bad_parquet_and_undecodable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "r.parquet"
    bad.write_bytes(b"not parquet at all")
    assert main(["draw", "--registry", str(bad), "--seed", "s", "--stream", "x"]) == 2
    assert "not a Parquet file" in capsys.readouterr().err
    junk = tmp_path / "j.csv"
    junk.write_bytes(b"id\n\x80\xff\xff\n")
    assert main(["draw", "--registry", str(junk), "--seed", "s", "--stream", "x"]) == 2
    assert "neither UTF-8 nor GB18030" in capsys.readouterr().err
    t = pa.table({"统一社会信用代码": ["T1", "T1"], "风险等级": ["低风险", "高风险"]})
    dup = tmp_path / "dup.parquet"
    pq.write_table(t, dup)
    assert main(["draw", "--registry", str(dup), "--seed", "s", "--stream", "x"]) == 2
    assert "duplicate id" in capsys.readouterr().err


# ------------------------------------------------------------------------------ reprs
def test_reprs_are_compact_and_html_shows_rows(demo: Any) -> None:
    reg = sample_registry()
    d = draw(reg, seed="s", stream="x", ratios={"A": 0.1, "B": 0.2, "C": 0.5, "D": 1.0})
    objects = [d, d.receipt, d.strata["A"], demo.pool, demo.items, reg, demo.run.draws[0],
               demo.run.assignment, demo.state, demo.report]  # fmt: skip
    for obj in objects:
        text = repr(obj)
        assert len(text) <= 300 and text.count("\n") <= 2, (type(obj).__name__, text)
    for obj in (d, demo.pool, demo.items, reg):
        view = obj._repr_html_()
        assert "<table>" in view and "more rows" in view and len(view) < 3000


def test_the_library_imports_without_the_optional_table_libraries() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "for m in ('pyarrow', 'pandas', 'polars'): sys.modules[m] = None\n"
        "import randsupervise, randsupervise.interop, randsupervise.cli\n"
        "from randsupervise.model.sample import sample_registry\n"
        "try:\n"
        "    randsupervise.interop.to_arrow(sample_registry())\n"
        "except ImportError as e:\n"
        "    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install 'randsupervise[arrow]'" in out.stdout, out
