"""Benchmark: China's working-day calendar on many dates at once.

``add_workdays(dates, 20)`` and ``count_workdays(start, end)`` on random dates between
2004-01-01 and 2026-11-30 (so that 20 working days later is still covered). Baselines
in the same run:

* numpy ``busday_offset`` / ``busday_count`` with weekmask ``'1111111'`` and every day
  off listed as a holiday: the fastest correct numpy formulation (a plain weekmask
  cannot make a Sunday a working day);
* ``chinese_calendar.find_workday`` per date on a 10,000-date subsample (its
  ``find_workday(19, d + 1 day)`` is the same rule: the 20th working day after ``d``).

    python benchmarks/bench_calendar.py            # 1,000,000 dates
    python benchmarks/bench_calendar.py --quick    # 100,000 dates, 1,000 for chinese_calendar
"""

from __future__ import annotations

import argparse
import datetime as dt

import chinese_calendar
import numpy as np

from randsupervise.calendar import china

from _common import best_of, emit


def run(n: int, n_oracle: int, repeat: int) -> None:
    cal = china()
    rng = np.random.default_rng(20240101)
    lo, hi = np.datetime64("2004-01-01"), np.datetime64("2026-11-30")
    dates = lo + rng.integers(0, (hi - lo).astype(int) + 1, size=n).astype("timedelta64[D]")
    span = np.arange(np.datetime64("2004-01-01"), np.datetime64("2027-01-01"))
    days_off = span[~cal.is_workday(span)]

    def numpy_offset() -> np.ndarray:
        return np.busday_offset(dates, 20, roll="backward", weekmask="1111111", holidays=days_off)

    base_s, expected = best_of(numpy_offset, repeat)
    ours_s, got = best_of(lambda: cal.add_workdays(dates, 20), repeat)
    assert np.array_equal(got, expected)
    emit(f"calendar_add_workdays_{n}", ours_s, "np.busday_offset(weekmask=1111111, holidays)",
         base_s, dates=n)  # fmt: skip

    ends = np.minimum(dates + rng.integers(-40, 90, size=n).astype("timedelta64[D]"), hi)
    ends = np.maximum(ends, lo)
    forward = ends >= dates

    def numpy_count() -> np.ndarray:
        # (start, end] forward, minus [end, start) backward; numpy counts a backward
        # interval as minus (end, start], hence the shift by one day
        fwd = np.busday_count(dates + 1, ends + 1, weekmask="1111111", holidays=days_off)
        bwd = np.busday_count(dates - 1, ends - 1, weekmask="1111111", holidays=days_off)
        return np.where(forward, fwd, bwd)

    base_c, expected_c = best_of(numpy_count, repeat)
    ours_c, got_c = best_of(lambda: cal.count_workdays(dates, ends), repeat)
    assert np.array_equal(got_c, expected_c)
    emit(f"calendar_count_workdays_{n}", ours_c, "np.busday_count x2 (weekmask=1111111)",
         base_c, dates=n)  # fmt: skip

    sample = dates[:n_oracle].astype(object)
    one = dt.timedelta(days=1)

    def oracle() -> list[dt.date]:
        return [chinese_calendar.find_workday(19, d + one) for d in sample]

    oracle_s, oracle_out = best_of(oracle, 1)
    assert np.array_equal(np.array(oracle_out, dtype="datetime64[D]"), got[:n_oracle])
    # per date, scaled to the full sample so both columns are seconds for n dates
    oracle_scaled = oracle_s / n_oracle * n
    emit(f"calendar_add_workdays_vs_chinese_calendar_{n}", ours_s,
         f"chinese_calendar.find_workday per date, timed on {n_oracle} dates, scaled to {n}",
         oracle_scaled, dates=n, oracle_dates=n_oracle,
         speedup_per_date=round(oracle_scaled / ours_s, 1))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (CI)")
    args = parser.parse_args()
    if args.quick:
        run(100_000, 1_000, repeat=3)
    else:
        run(1_000_000, 10_000, repeat=5)


if __name__ == "__main__":
    main()
