"""Visit merging: the vectorised merge equals the per-target greedy rule, hit by hit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from randsupervise.cycle.visits import HitSource, Visit, merge_hits
from randsupervise.model import RiskClass

ITEMS = [f"I{k:02d}" for k in range(70)]  # more than one 64-bit word of items
DEPTS = ["lead-a", "lead-b", "fire", "police"]
DAY0 = dt.date(2024, 1, 1)


def reference_merge(
    year: int,
    rows: np.ndarray,
    source: np.ndarray,
    sources: Sequence[HitSource],
    ids: np.ndarray,
    regions: np.ndarray,
    risk: np.ndarray,
) -> list[Visit]:
    """The merge rule written as the module docstring states it, one target at a time."""
    by_row: dict[int, list[tuple[int, int, int, int]]] = {}
    for k, (r, s) in enumerate(zip(rows.tolist(), source.tolist(), strict=True)):
        h = sources[s]
        by_row.setdefault(r, []).append((h.start.toordinal(), h.end.toordinal(), h.task_pos, k))
    out = []
    for r in sorted(by_row):
        groups: list[list[HitSource]] = []
        win: tuple[dt.date, dt.date] | None = None
        for *_, k in sorted(by_row[r]):
            s = sources[int(source[k])]
            if groups and win is not None:
                a, b = max(win[0], s.start), min(win[1], s.end)
                have = {i for h in groups[-1] for i in h.items}
                if a <= b and not have & set(s.items):
                    groups[-1].append(s)
                    win = (a, b)
                    continue
            groups.append([s])
            win = (s.start, s.end)
        uid = str(ids[r])
        for n, grp in enumerate(groups, start=1):
            lead = grp[0].lead
            depts = {d for h in grp for d in h.departments} - {lead}
            out.append(
                Visit(
                    id=f"{year}/{uid}/{n}",
                    target_id=uid,
                    region=str(regions[r]),
                    risk_class=RiskClass(int(risk[r])),
                    items=tuple(sorted({i for h in grp for i in h.items})),
                    departments=(lead, *sorted(depts)),
                    qualifications=frozenset().union(*(h.qualifications for h in grp)),
                    start=max(h.start for h in grp),
                    end=min(h.end for h in grp),
                    tasks=tuple(dict.fromkeys(h.task for h in grp)),
                    batches=tuple(f"{h.task}/{h.batch}" for h in grp),
                )
            )
    return out


@st.composite
def hit_sets(draw: st.DrawFn) -> tuple[list[HitSource], np.ndarray, np.ndarray]:
    n_src = draw(st.integers(1, 8))
    sources = []
    for k in range(n_src):
        a = draw(st.integers(0, 300))
        b = a + draw(st.integers(0, 120))
        lead = draw(st.sampled_from(DEPTS[:2]))
        partners = draw(st.lists(st.sampled_from(DEPTS), max_size=2, unique=True))
        items = draw(st.lists(st.sampled_from(ITEMS), min_size=1, max_size=3, unique=True))
        quals = draw(st.frozensets(st.sampled_from(["q1", "q2", "q3"]), max_size=2))
        sources.append(
            HitSource(
                task=f"t{k % 5}",
                task_pos=k,
                batch=f"b{k}",
                items=tuple(items),
                lead=lead,
                departments=(lead, *(d for d in partners if d != lead)),
                qualifications=quals,
                start=DAY0 + dt.timedelta(days=a),
                end=DAY0 + dt.timedelta(days=b),
            )
        )
    n_hits = draw(st.integers(0, 40))
    rows = draw(st.lists(st.integers(0, 9), min_size=n_hits, max_size=n_hits))
    src = draw(st.lists(st.integers(0, n_src - 1), min_size=n_hits, max_size=n_hits))
    return sources, np.asarray(rows, dtype=np.int64), np.asarray(src, dtype=np.int64)


REG_IDS = np.asarray([f"T{k}" for k in range(10)])
REG_REGIONS = np.asarray(["东城镇", "南山乡"] * 5, dtype=object)
REG_RISK = np.asarray([0, 1, 2, 3, 1, 0, 2, 3, 1, 0], dtype=np.int8)


@given(hit_sets())
def test_vectorised_merge_equals_reference(
    case: tuple[list[HitSource], np.ndarray, np.ndarray],
) -> None:
    sources, rows, src = case
    args = (2024, rows, src, sources, REG_IDS, REG_REGIONS, REG_RISK)
    assert merge_hits(*args) == reference_merge(*args)


@given(hit_sets())
def test_merge_does_not_depend_on_hit_order(
    case: tuple[list[HitSource], np.ndarray, np.ndarray],
) -> None:
    sources, rows, src = case
    rev = (2024, rows[::-1], src[::-1], sources, REG_IDS, REG_REGIONS, REG_RISK)
    args = (2024, rows, src, sources, REG_IDS, REG_REGIONS, REG_RISK)
    # only repeated hits (same target, same source) can swap, giving identical visits
    assert [v.canonical() for v in merge_hits(*rev)] == [v.canonical() for v in merge_hits(*args)]


def test_overlapping_windows_merge_and_a_shared_item_splits() -> None:
    def src(task: str, pos: int, items: tuple[str, ...], a: int, b: int) -> HitSource:
        return HitSource(task=task, task_pos=pos, batch="Q", items=items, lead="lead-a",
                         departments=("lead-a", "fire"), qualifications=frozenset({task}),
                         start=DAY0 + dt.timedelta(a), end=DAY0 + dt.timedelta(b))  # fmt: skip

    sources = [src("x", 0, ("I01",), 0, 90), src("y", 1, ("I02",), 30, 120),
               src("z", 2, ("I01",), 40, 60)]  # fmt: skip
    rows = np.asarray([3, 3, 3], dtype=np.int64)
    vs = merge_hits(2024, rows, np.arange(3), sources, REG_IDS, REG_REGIONS, REG_RISK)
    assert [v.id for v in vs] == ["2024/T3/1", "2024/T3/2"]
    assert vs[0].items == ("I01", "I02") and vs[0].tasks == ("x", "y")
    assert (vs[0].start, vs[0].end) == (DAY0 + dt.timedelta(days=30), DAY0 + dt.timedelta(days=90))
    assert vs[1].items == ("I01",) and vs[1].qualifications == {"z"}
