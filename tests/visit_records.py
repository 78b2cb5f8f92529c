"""One visit record for the lifecycle's unit tests: a one-item visit at one target,
drawn and assigned, with its window, class and team as the test needs them."""

from __future__ import annotations

from datetime import date

from randsupervise.cycle import Assign, Visit, VisitRecord

#: The second half-year window (batch ``t/H2``) and the second quarter (``t/Q2``).
H2 = (date(2024, 9, 2), date(2024, 12, 13), "t/H2")
Q2 = (date(2024, 4, 1), date(2024, 6, 28), "t/Q2")


def assigned(
    visit_id: str,
    tid: str,
    *,
    risk_class: str = "B",
    window: tuple[date, date, str] = H2,
    team: tuple[str, ...] = ("Z-01", "Z-02"),
    on: date = date(2024, 2, 26),
) -> VisitRecord:
    """The record of visit ``visit_id`` at ``tid``, assigned to ``team`` on ``on``."""
    start, end, batch = window
    v = Visit(id=visit_id, target_id=tid, region="r", risk_class=risk_class, items=("K01",),
              departments=("d",), qualifications=frozenset(), start=start, end=end,
              tasks=("t",), batches=(batch,))  # fmt: skip
    return VisitRecord(visit=v).apply(Assign(on=on, team=team))
