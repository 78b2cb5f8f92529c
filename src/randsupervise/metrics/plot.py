"""Optional plots of a year report (the ``plot`` extra: matplotlib, imported lazily).

Invariants:

* nothing here runs at import time; matplotlib is imported only when a plot is asked for,
  so the core never needs it (architecture principle 1: nothing is shown or saved);
* each function takes the report (or the one table it draws), draws on the given axes
  (or new ones) and returns the axes;
* titles, axis labels, legends and tick labels are Chinese with ``lang="zh"`` (the
  default) or English with ``lang="en"``. Chinese text needs a font with CJK glyphs: the
  first installed family of :data:`CJK_FONTS` is used. When none is installed the plot
  falls back to English labels with a ``UserWarning``; no font is ever downloaded.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Mapping
from typing import Any

from randsupervise._core.validation import check_one_of
from randsupervise.metrics.report import YearReport
from randsupervise.metrics.table import Table

__all__ = [
    "CJK_FONTS",
    "cjk_font",
    "plot_coverage",
    "plot_inclusion",
    "plot_ratios",
    "plot_timeliness",
    "plot_visits_per_target",
    "plot_workload",
]

#: Families that render Chinese, most preferred first (font family names as matplotlib
#: knows them). Noto Sans CJK and Source Han Sans are the same design under two names.
CJK_FONTS: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
)
# file-name stems of the same fonts, for a font cache built before the font was installed
_CJK_FILES = ("notosanscjk", "notosanssc", "sourcehansans", "wqy-zenhei", "wqy-microhei")

_TEXT: Mapping[str, Mapping[str, str]] = {
    "en": {
        "coverage": "Item coverage {year}: {rate:.0%}",
        "visits": "visits",
        "inspected": "inspected",
        "published": "published",
        "item": "item",
        "visits_per_target": "Visits per target {year}",
        "targets": "targets",
        "class": "risk class",
        "none": "none",
        "once": "once",
        "twice": "twice",
        "more": "3 or more",
        "timeliness": "Timeliness as of {as_of}",
        "recording": "recording",
        "publication": "publication",
        "on_time": "on time",
        "late": "late",
        "overdue": "overdue",
        "workload": "Workload by department",
        "department": "department",
        "officers": "officers",
        "ratios": "Planned and achieved ratios per {by}",
        "ratio": "ratio (share of the population)",
        "planned": "planned",
        "achieved": "achieved (published)",
        "inclusion": "Inclusion probability per draw",
        "probability": "inclusion probability",
        "unknown": "(none)",
    },
    "zh": {
        "coverage": "{year}年抽查事项开展率：{rate:.0%}",
        "visits": "检查户次",
        "inspected": "已检查",
        "published": "已公示",
        "item": "抽查事项",
        "visits_per_target": "{year}年每户被检查次数",
        "targets": "检查对象数",
        "class": "风险等级",
        "none": "未检查",
        "once": "1次",
        "twice": "2次",
        "more": "3次及以上",
        "timeliness": "时效（截至{as_of}）",
        "recording": "结果录入",
        "publication": "结果公示",
        "on_time": "按时",
        "late": "逾期完成",
        "overdue": "已逾期未完成",
        "workload": "各部门检查工作量",
        "department": "部门",
        "officers": "名执法人员",
        "ratios": "按{by}的计划与实际抽查比例",
        "ratio": "比例（占检查对象总数）",
        "planned": "计划",
        "achieved": "实际（已公示）",
        "inclusion": "各次抽取的入样概率",
        "probability": "入样概率",
        "unknown": "（无）",
    },
}


@functools.lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The first installed font family of :data:`CJK_FONTS`, or ``None`` if there is none.

    Looks in matplotlib's font list, then among the system's font files for a CJK font
    the font cache has not seen yet (it is added to the list, not copied anywhere).
    """
    from matplotlib import font_manager  # the plot extra; lazy on purpose

    names = {f.name for f in font_manager.fontManager.ttflist}
    found = next((n for n in CJK_FONTS if n in names), None)
    if found is not None:
        return found
    for path in sorted(font_manager.findSystemFonts()):
        stem = path.replace("\\", "/").rsplit("/", 1)[-1].lower().replace("-", "")
        if any(stem.startswith(f.replace("-", "")) for f in _CJK_FILES):
            font_manager.fontManager.addfont(path)
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((n for n in CJK_FONTS if n in names), None)


def _weight(family: str) -> Any:
    """The weight of an installed font of ``family`` (``"normal"`` for a regular face)."""
    from matplotlib import font_manager  # the plot extra; lazy on purpose

    weights = [f.weight for f in font_manager.fontManager.ttflist if f.name == family]
    return "normal" if not weights or 400 in weights or "normal" in weights else weights[0]


class _Labels:
    """The words of one plot in one language, and the font they need."""

    def __init__(self, lang: str) -> None:
        check_one_of(lang, ("zh", "en"), "lang")
        self.font: str | None = None
        if lang == "zh":
            self.font = cjk_font()
            if self.font is None:
                warnings.warn(
                    "no font with Chinese glyphs is installed (e.g. Debian's fonts-wqy-zenhei "
                    "or fonts-noto-cjk); the plot uses English labels",
                    UserWarning,
                    stacklevel=3,
                )
                lang = "en"
        self.lang = lang
        self.words = _TEXT[lang]

    def __call__(self, key: str, **fmt: Any) -> str:
        return self.words[key].format(**fmt)

    @property
    def kw(self) -> dict[str, Any]:
        if self.font is None:
            return {}
        # the font's own weight, so matplotlib finds it without substituting (and saying so)
        return {"fontfamily": self.font, "fontweight": _weight(self.font)}

    def finish(self, ax: Any, title: str, xlabel: str, ylabel: str, legend: bool) -> Any:
        ax.set_title(title, **self.kw)
        ax.set_xlabel(xlabel, **self.kw)
        ax.set_ylabel(ylabel, **self.kw)
        for t in (*ax.get_xticklabels(), *ax.get_yticklabels()):
            if self.font is not None:
                t.set_fontfamily(self.font)
                t.set_fontweight(_weight(self.font))
        if legend:
            kw = self.kw
            prop = {"family": kw["fontfamily"], "weight": kw["fontweight"]} if kw else None
            ax.legend(prop=prop)
        return ax


def _axes(ax: Any) -> Any:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt  # the plot extra; lazy on purpose

    return plt.subplots()[1]


def _table(obj: YearReport | Table, field: str) -> Table:
    if isinstance(obj, YearReport):
        t: Table = getattr(obj, field)
        return t
    if isinstance(obj, Table):
        return obj
    raise TypeError(f"expected a YearReport or its {field} Table, got {type(obj).__name__}")


def _bars(ax: Any, labels: list[str], series: list[tuple[str, list[float]]]) -> None:
    width = 0.8 / max(len(series), 1)
    x = list(range(len(labels)))
    for k, (name, values) in enumerate(series):
        off = (k - (len(series) - 1) / 2) * width
        ax.bar([i + off for i in x], values, width=width, label=name)
    ax.set_xticks(x, labels)


def plot_coverage(report: YearReport, ax: Any = None, *, lang: str = "zh") -> Any:
    """Bars of visits, inspected and published per item (item coverage, 开展率).

    Examples:
        >>> from randsupervise.cycle.sample import sample_year
        >>> from randsupervise.metrics import year_report
        >>> y = sample_year()
        >>> report = year_report(y.run, y.state, registry=y.registry, items=y.items,
        ...                      pool=y.pool, as_of=y.as_of)
        >>> plot_coverage(report, lang="en").get_title()
        'Item coverage 2024: 100%'
    """
    w = _Labels(lang)
    ax = _axes(ax)
    cols = report.coverage.columns()
    _bars(ax, cols["item"], [(w(k), cols[k]) for k in ("visits", "inspected", "published")])
    title = w("coverage", year=report.year, rate=report.coverage.summary["rate"])
    return w.finish(ax, title, w("item"), w("visits"), legend=True)


def plot_visits_per_target(report: YearReport, ax: Any = None, *, lang: str = "zh") -> Any:
    """Stacked bars per risk class: targets with 0, 1, 2 and 3+ visits in the year.

    Examples:
        >>> from randsupervise.cycle.sample import sample_year
        >>> from randsupervise.metrics import year_report
        >>> y = sample_year()
        >>> ax = plot_visits_per_target(
        ...     year_report(y.run, y.state, registry=y.registry, items=y.items, pool=y.pool,
        ...                 as_of=y.as_of), lang="en")
        >>> ax.get_title(), ax.get_ylabel()
        ('Visits per target 2024', 'targets')
    """
    w = _Labels(lang)
    ax = _axes(ax)
    cols = report.visits_per_target.columns()
    bottom = [0] * len(cols["class"])
    for key in ("none", "once", "twice", "more"):
        ax.bar(cols["class"], cols[key], bottom=bottom, label=w(key))
        bottom = [b + v for b, v in zip(bottom, cols[key], strict=True)]
    return w.finish(
        ax, w("visits_per_target", year=report.year), w("class"), w("targets"), legend=True
    )


def plot_timeliness(
    report: YearReport | Table, ax: Any = None, *, lang: str = "zh", as_of: object = None
) -> Any:
    """Recording and publication, each on its own: on time, late and overdue (visits).

    "Late" is a step done after its deadline (the 20th working day after the inspection);
    "overdue" is a step not done by a deadline already passed.

    Examples:
        >>> from datetime import date
        >>> from randsupervise.cycle.sample import sample_year
        >>> from randsupervise.metrics import timeliness
        >>> ax = plot_timeliness(timeliness(sample_year().state, date(2025, 2, 28)), lang="en")
        >>> ax.get_title(), [t.get_text() for t in ax.get_xticklabels()]
        ('Timeliness as of 2025-02-28', ['recording', 'publication'])
    """
    w = _Labels(lang)
    ax = _axes(ax)
    t = _table(report, "timeliness")
    s = t.summary
    when = report.as_of if isinstance(report, YearReport) else as_of
    if when is None:
        when = t.name.rsplit(" ", 1)[-1]
    series = [
        (w("on_time"), [s["recorded_on_time"], s["published_on_time"]]),
        (w("late"), [s["recorded_late"], s["published_late"]]),
        (w("overdue"), [s["record_overdue"], s["publish_overdue"]]),
    ]
    _bars(ax, [w("recording"), w("publication")], series)
    return w.finish(ax, w("timeliness", as_of=when), "", w("visits"), legend=True)


def plot_workload(report: YearReport | Table, ax: Any = None, *, lang: str = "zh") -> Any:
    """Visits per department (summed over its officers), with the officers counted.

    Examples:
        >>> from randsupervise.cycle.sample import sample_year
        >>> from randsupervise.metrics import workload
        >>> y = sample_year()
        >>> plot_workload(workload(y.state, y.pool), lang="en").get_title()
        'Workload by department'
    """
    w = _Labels(lang)
    ax = _axes(ax)
    t = _table(report, "workload")
    visits: dict[str, int] = {}
    officers: dict[str, int] = {}
    for r in t.rows:
        d = str(r.get("department") or w("unknown"))
        visits[d] = visits.get(d, 0) + int(r["visits"])
        officers[d] = officers.get(d, 0) + 1
    depts = sorted(visits)
    bars = ax.bar(depts, [visits[d] for d in depts])
    ax.bar_label(bars, [f"{officers[d]} {w('officers')}" for d in depts], **w.kw)
    return w.finish(ax, w("workload"), w("department"), w("visits"), legend=False)


def plot_ratios(
    report: YearReport | Table, ax: Any = None, *, by: str = "class", lang: str = "zh"
) -> Any:
    """Planned against achieved sampling ratios, per risk class or per item.

    A ratio is a share of the population: the planned sample sizes or the published
    results over the targets of the class (or, per item, of every class the item's draws
    covered).

    Examples:
        >>> from randsupervise.cycle.sample import sample_year
        >>> from randsupervise.metrics import ratio_achievement
        >>> y = sample_year()
        >>> ax = plot_ratios(ratio_achievement(y.run, y.state), by="item", lang="en")
        >>> ax.get_title(), ax.get_xlabel()
        ('Planned and achieved ratios per item', 'item')
    """
    check_one_of(by, ("class", "item"), "by")
    w = _Labels(lang)
    ax = _axes(ax)
    t = _table(report, "ratios")
    sums: dict[str, list[int]] = {}
    for r in t.rows:
        acc = sums.setdefault(str(r[by]), [0, 0, 0])
        acc[0] += int(r["population"])
        acc[1] += int(r["planned"])
        acc[2] += int(r["published"])
    keys = sorted(sums)
    series = [
        (w("planned"), [sums[k][1] / sums[k][0] if sums[k][0] else 0.0 for k in keys]),
        (w("achieved"), [sums[k][2] / sums[k][0] if sums[k][0] else 0.0 for k in keys]),
    ]
    _bars(ax, keys, series)
    name = w("class") if by == "class" else w("item")
    return w.finish(ax, w("ratios", by=name), name, w("ratio"), legend=True)


def plot_inclusion(report: YearReport | Table, ax: Any = None, *, lang: str = "zh") -> Any:
    """Each draw's inclusion probability per risk class (one point per draw and class).

    Examples:
        >>> from randsupervise.cycle.sample import sample_year
        >>> from randsupervise.metrics import inclusion_probabilities
        >>> plot_inclusion(inclusion_probabilities(sample_year().run), lang="en").get_ylabel()
        'inclusion probability'
    """
    w = _Labels(lang)
    ax = _axes(ax)
    t = _table(report, "probabilities")
    classes = sorted({str(r["class"]) for r in t.rows})
    pos = {c: i for i, c in enumerate(classes)}
    xs = [pos[str(r["class"])] for r in t.rows]
    ys = [float(r["probability"]) for r in t.rows]
    ax.scatter(xs, ys, alpha=0.6)
    ax.set_xticks(range(len(classes)), classes)
    ax.set_ylim(0, max([*ys, 0.0]) * 1.1 or 1.0)
    return w.finish(ax, w("inclusion"), w("class"), w("probability"), legend=False)
