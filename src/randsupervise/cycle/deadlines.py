"""The deadlines of a visit: its batch window, and 20 working days to record and publish.

Invariants, each with the rule it comes from:

* Results are recorded **and published within 20 working days** of the inspection's
  completion (plan §三(六); 企业信息公示暂行条例 art. 6): one deadline,
  ``calendar.deadline(inspected_on, RECORDING_WORKDAYS)`` (the completion day not
  counted), for both steps. A recording after it is *late*, a publication after it
  *publication late*; each step is timed on its own (:func:`late`).
* An inspection is carried out **within its batch window** (plan §三(五): tasks and
  batches with their timing); one dated outside it needs a reason
  (:func:`window_problem`). A visit whose window has ended without an inspection is
  *not carried out*.
* The deadline comes from the calendar the caller passes: there is no clock.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import numpy as np
import numpy.typing as npt

from randsupervise.calendar import WorkCalendar
from randsupervise.cycle.visits import Visit

__all__ = ["RECORDING_WORKDAYS"]

#: Working days allowed between inspection and recording, and between inspection and
#: publication (plan §三(六); 企业信息公示暂行条例 art. 6: within 20 working days).
RECORDING_WORKDAYS = 20


def deadline_of(calendar: WorkCalendar, inspected: Any) -> Any:
    """The recording and publication deadline of inspections on ``inspected`` (a date
    or a ``datetime64[D]`` array: one calendar call for a whole batch)."""
    return calendar.deadline(inspected, RECORDING_WORKDAYS)


def window_problem(visit: Visit, on: _dt.date, reason: str) -> str:
    """Why an inspection on ``on`` is refused (empty when it is not)."""
    if reason or visit.start <= on <= visit.end:
        return ""
    return (
        f"inspection dated {on}, outside the batch window {visit.start}..{visit.end}: "
        "give the reason as outside_window (plan §三(五))"
    )


def done_late(done: _dt.date | None, deadline: _dt.date | None) -> bool:
    """Whether a step done on ``done`` (None: not yet) came after its ``deadline``."""
    return done is not None and deadline is not None and done > deadline


def late(done: npt.NDArray[np.datetime64], deadline: npt.NDArray[np.datetime64]) -> Any:
    """Whether each step, done on ``done`` (``NaT``: not yet), came after its deadline."""
    ok = ~np.isnat(done) & ~np.isnat(deadline)
    return ok & (done > deadline)
