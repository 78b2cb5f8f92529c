"""Infeasibility witnesses: why no lawful assignment exists.

Invariants:

* A witness is only produced after an exact check has shown that no lawful assignment
  exists (see ``docs/assign.md``): a per-visit check by exhaustive set cover, a Hall
  violation from the minimum cut of a maximum flow, or an infeasible integer program.
* Every witness names the visits involved and says why, in terms a planner can act on:

  ``"visit"``
      each listed visit is impossible on its own (``reasons`` maps the visit to: a
      qualification or department nobody eligible has, too few eligible certified
      officers, or requirements that need more officers than the team size).
  ``"capacity"``
      a Hall violation: the listed visits need ``demand`` places, but every eligible
      inspector can fill at most min(remaining load limit, number of listed visits
      they are eligible for) of them, and those add up to ``supply < demand``.
  ``"coverage-capacity"``
      the same for one requirement (``requirement``, e.g. ``"qualification:消防"``):
      the listed visits each need one holder, the holders' capacity is too small.
  ``"combined"``
      none of the above applies, yet the constraints together are infeasible (proved
      by the integer program; e.g. officers who may not serve together, or load limits
      shared with other visits); the visits are the connected group involved.
"""

from __future__ import annotations

from typing import Any

import attrs

__all__ = ["Witness"]


@attrs.frozen(kw_only=True)
class Witness:
    """Why an assignment is impossible (see the module notes for each ``kind``).

    Examples:
        >>> w = Witness(kind="visit", role="officers", visits=("V1",),
        ...             reasons=(("V1", "no eligible officer holds qualification '潜水'"),))
        >>> print(w)
        officers: visit 'V1': no eligible officer holds qualification '潜水'
    """

    kind: str
    role: str
    visits: tuple[str, ...]
    reasons: tuple[tuple[str, str], ...] = ()
    requirement: str | None = None
    inspectors: tuple[str, ...] = ()
    demand: int | None = None
    supply: int | None = None

    def __str__(self) -> str:
        if self.kind == "visit":
            shown = "; ".join(f"visit {v!r}: {r}" for v, r in self.reasons[:10])
            more = f"; and {len(self.reasons) - 10} more" if len(self.reasons) > 10 else ""
            return f"{self.role}: {shown}{more}"
        vs = ", ".join(repr(v) for v in self.visits[:10])
        more = f" and {len(self.visits) - 10} more" if len(self.visits) > 10 else ""
        if self.kind in ("capacity", "coverage-capacity"):
            req = self.requirement
            what = (
                ""
                if not req
                else f" within {req}"
                if req.startswith("period ")
                else f" holding {req}"
            )
            return (
                f"{self.role}: visits {vs}{more} need {self.demand} place(s) filled by "
                f"eligible inspectors{what}, who can fill at most {self.supply} "
                f"(Hall violation over {len(self.inspectors)} inspector(s))"
            )
        return (
            f"{self.role}: no assignment meets load limits and team rules together for "
            f"visits {vs}{more} (the integer program is infeasible), although each visit "
            "passes its own checks and no capacity or qualification count falls short"
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form."""
        return {
            "kind": self.kind,
            "role": self.role,
            "visits": list(self.visits),
            "reasons": [list(r) for r in self.reasons],
            "requirement": self.requirement,
            "inspectors": list(self.inspectors),
            "demand": self.demand,
            "supply": self.supply,
        }
