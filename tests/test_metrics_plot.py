"""The plots of the year report: titles and labels in Chinese and English, rendered in memory."""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable
from typing import Any

import pytest

from randsupervise.demo import run_demo_year
from randsupervise.errors import ValidationError
from randsupervise.metrics import YearReport

matplotlib = pytest.importorskip("matplotlib", reason="the plot extra (matplotlib) is missing")
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from randsupervise.metrics import plot  # noqa: E402


@pytest.fixture(scope="module")
def report() -> YearReport:
    return run_demo_year(2024).report


def _png(ax: Any) -> bytes:
    buf = io.BytesIO()
    ax.figure.savefig(buf, format="png")
    plt.close(ax.figure)
    return buf.getvalue()


def _ticks(ax: Any) -> list[str]:
    return [t.get_text() for t in ax.get_xticklabels()]


CASES: list[tuple[Callable[..., Any], dict[str, Any], str, str, str]] = [
    (plot.plot_timeliness, {}, "时效（截至2025-02-28）", "", "检查户次"),
    (plot.plot_workload, {}, "各部门检查工作量", "部门", "检查户次"),
    (plot.plot_ratios, {}, "按风险等级的计划与实际抽查比例", "风险等级", "比例（占检查对象总数）"),
    (
        plot.plot_ratios,
        {"by": "item"},
        "按抽查事项的计划与实际抽查比例",
        "抽查事项",
        "比例（占检查对象总数）",
    ),
    (plot.plot_inclusion, {}, "各次抽取的入样概率", "风险等级", "入样概率"),
    (plot.plot_coverage, {}, "2024年抽查事项开展率：100%", "抽查事项", "检查户次"),
    (plot.plot_visits_per_target, {}, "2024年每户被检查次数", "风险等级", "检查对象数"),
]


@pytest.mark.parametrize(("fn", "kw", "title", "xlabel", "ylabel"), CASES)
def test_chinese_labels_render_with_a_cjk_font(
    report: YearReport, fn: Callable[..., Any], kw: dict[str, Any], title: str, xlabel: str,
    ylabel: str,
) -> None:  # fmt: skip
    if plot.cjk_font() is None:
        pytest.skip("no font with Chinese glyphs is installed on this machine")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph warns; it must not
        ax = fn(report, **kw)
        assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == (title, xlabel, ylabel)
        assert ax.title.get_fontfamily()[0] == plot.cjk_font()
        assert _png(ax).startswith(b"\x89PNG")


def test_timeliness_shows_recording_and_publication_separately(report: YearReport) -> None:
    ax = plot.plot_timeliness(report, lang="en")
    assert _ticks(ax) == ["recording", "publication"]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["on time", "late", "overdue"]
    s = report.timeliness.summary
    heights = [p.get_height() for p in ax.patches]
    assert heights == [
        s["recorded_on_time"], s["published_on_time"], s["recorded_late"],
        s["published_late"], s["record_overdue"], s["publish_overdue"],
    ]  # fmt: skip
    assert _png(ax).startswith(b"\x89PNG")


def test_the_table_alone_and_a_given_axes_work(report: YearReport) -> None:
    fig, axes = plt.subplots(1, 2)
    assert plot.plot_workload(report.workload, ax=axes[0], lang="en") is axes[0]
    assert plot.plot_inclusion(report.probabilities, ax=axes[1], lang="en") is axes[1]
    assert axes[0].get_title() == "Workload by department"
    depts = {r["department"] for r in report.workload.rows}
    assert set(_ticks(axes[0])) == depts
    assert sum(p.get_height() for p in axes[0].patches) == sum(
        r["visits"] for r in report.workload.rows
    )
    plt.close(fig)


def test_ratios_per_class_are_shares_of_the_population(report: YearReport) -> None:
    ax = plot.plot_ratios(report, lang="en")
    rows = [r for r in report.ratios.rows if r["class"] == "A"]
    planned = sum(r["planned"] for r in rows) / sum(r["population"] for r in rows)
    assert ax.patches[0].get_height() == pytest.approx(planned)
    assert _ticks(ax) == ["A", "B", "C", "D"]
    plt.close(ax.figure)


def test_bad_arguments_are_refused(report: YearReport) -> None:
    with pytest.raises(ValidationError, match="lang"):
        plot.plot_timeliness(report, lang="fr")
    with pytest.raises(ValidationError, match="by"):
        plot.plot_ratios(report, by="stream")
    with pytest.raises(TypeError, match="YearReport"):
        plot.plot_workload(report.ratios.rows)


def test_without_a_cjk_font_labels_fall_back_to_english(
    report: YearReport, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(plot, "cjk_font", lambda: None)
    with pytest.warns(UserWarning, match="English labels"):
        ax = plot.plot_workload(report)
    assert ax.get_title() == "Workload by department"
    plt.close(ax.figure)
