"""The public form of a drawn list, and what it still reveals about risk classes.

Invariants (plan §三(二) "一公开"; BRIEF: credit-risk classes are internal; architecture
principle 4):

* A draw receipt (the **audit form**) lists the selected ids under their stratum, i.e.
  under their risk class. It is released to auditors (discipline inspectors), not shown
  to the public.
* The **public form** (:func:`public_record`) is the receipt with, per stratum, only the
  aggregate figures (population, sample size, requested, ratio or count, clipping,
  inclusion probability, expected size), plus the selection of every stratum merged into
  one list in (ticket, UTF-8 id bytes) order with its tickets. Per-unit probabilities are
  left out too: under the equal-probability method a unit's probability is ``n/N`` of its
  stratum and would name its class. The audit receipt's ``receipt_digest`` stays in the
  public form, so the public form is bound to exactly one audit receipt.
* ``public_digest`` is the SHA-256 of the RFC 8785 canonical JSON of everything else in
  the public form (the receipts' one digest rule).
* :func:`public_record_differences` checks that a public form is the projection of a
  given audit receipt (what an auditor holding both does); the browser verifier rebuilds
  the audit receipt from the public form and the register and checks its digest.
* What stays inferable is computed, not guessed: :func:`class_bounds` gives, for each
  selected unit, the classes its ticket is consistent with (see ``docs/publish.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from randsupervise._core.canonical import digest
from randsupervise._core.frozen import freeze, thaw
from randsupervise._core.report import Difference, diff_trees
from randsupervise._core.strict_json import ANY, ListOf, MapOf, Obj
from randsupervise.draw.receipt import Receipt

__all__ = [
    "PUBLIC_FORMAT",
    "PUBLIC_VERSION",
    "UNIT_FIELDS",
    "class_bounds",
    "merged_selection",
    "public_record",
    "public_record_differences",
]

#: ``format`` of a public drawn-list record and its version.
PUBLIC_FORMAT = "randsupervise.public-draw"
PUBLIC_VERSION = 1
#: The per-unit fields of a stratum record, which the public form leaves out.
UNIT_FIELDS: tuple[str, ...] = ("selected", "tickets", "probabilities")

#: The shape of a public record (the receipt inside keeps the draw receipt's own keys).
PUBLIC_SHAPE = Obj(
    required={
        "format": str,
        "version": int,
        "receipt": MapOf(ANY),
        "selected": ListOf(str),
        "tickets": ListOf(str),
        "public_digest": str,
    }
)


def _receipt_dict(receipt: Receipt | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(receipt, Receipt):
        return receipt.to_dict()
    out: dict[str, Any] = thaw(receipt)
    return out


def merged_selection(receipt: Receipt | Mapping[str, Any]) -> list[tuple[str, str]]:
    """Every stratum's selected ``(id, ticket hex)`` merged in (ticket, UTF-8 id) order.

    Examples:
        >>> from randsupervise.draw import draw
        >>> from randsupervise.model import TargetRegistry
        >>> reg = TargetRegistry.from_columns(id=list("abcdef"), risk_class="AABBCC")
        >>> r = draw(reg, seed="demo", stream="s", ratios={"A": 0.5, "B": 1, "C": 0.5}).receipt
        >>> merged = [i for i, _ in merged_selection(r)]
        >>> sorted(merged) == sorted(i for s in r.strata.values() for i in s["selected"])
        True
    """
    d = _receipt_dict(receipt)
    units = [
        (int(t, 16), i.encode("utf-8"), i, t)
        for s in d["strata"].values()
        for i, t in zip(s["selected"], s["tickets"], strict=True)
    ]
    units.sort()
    return [(i, t) for _, _, i, t in units]


def public_record(receipt: Receipt | Mapping[str, Any]) -> Any:
    """The public form of a draw receipt: no firm listed under its class (module notes).

    Returns a deeply frozen JSON object with ``format``, ``version``, ``receipt`` (the
    receipt without per-unit stratum fields, its ``receipt_digest`` kept), ``selected``
    and ``tickets`` (merged, in selection order) and ``public_digest``.

    Examples:
        >>> from randsupervise.draw import draw
        >>> from randsupervise.model import TargetRegistry
        >>> reg = TargetRegistry.from_columns(id=list("abcdef"), risk_class="AABBCC")
        >>> r = draw(reg, seed="demo", stream="s", ratios={"A": 0.5, "C": 1.0}).receipt
        >>> p = public_record(r)
        >>> sorted(p["receipt"]["strata"]["A"])[:4], len(p["selected"])
        (['clipped', 'count', 'expected_size', 'inclusion_probability'], 3)
        >>> p["receipt"]["receipt_digest"] == r.receipt_digest
        True
    """
    d = _receipt_dict(receipt)
    strata = {
        label: {k: v for k, v in s.items() if k not in UNIT_FIELDS}
        for label, s in d["strata"].items()
    }
    merged = merged_selection(d)
    body = {
        "format": PUBLIC_FORMAT,
        "version": PUBLIC_VERSION,
        "receipt": {**d, "strata": strata},
        "selected": [i for i, _ in merged],
        "tickets": [t for _, t in merged],
    }
    return freeze({**body, "public_digest": digest(body)})


def public_record_differences(
    public: Mapping[str, Any], receipt: Receipt | Mapping[str, Any]
) -> list[Difference]:
    """Where ``public`` is not the public form of ``receipt`` (empty when it is).

    Also checks ``public_digest``. An auditor holding the audit receipt runs this on the
    published record.

    Examples:
        >>> from randsupervise.draw import draw
        >>> from randsupervise.model import TargetRegistry
        >>> reg = TargetRegistry.from_columns(id=list("abcd"), risk_class="AABB")
        >>> r = draw(reg, seed="demo", stream="s", ratios={"A": 0.5}).receipt
        >>> public_record_differences(public_record(r), r)
        []
        >>> forged = thaw(public_record(r)); forged["selected"] = ["d"]
        >>> [d.path for d in public_record_differences(forged, r)]
        ['public_digest', 'selected']
    """
    out: list[Difference] = []
    body = {k: v for k, v in public.items() if k != "public_digest"}
    try:
        want = digest(thaw(body))
    except ValueError as e:
        return [Difference(path="public_digest", message=f"no canonical form: {e}")]
    if public.get("public_digest") != want:
        out.append(
            Difference(
                path="public_digest",
                message="the record was changed after it was made (its digest does not match "
                "its content)",
                receipt=public.get("public_digest"),
                recomputed=want,
            )
        )
    expected = public_record(receipt)
    out += [d for d in diff_trees(thaw(public), thaw(expected)) if d.path != "public_digest"]
    return out


def class_bounds(receipt: Receipt | Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """For each selected unit, the strata its ticket is consistent with.

    Under the equal-probability method a stratum selects exactly its units with a ticket
    at or below its cut-off, the largest ticket it selected. A selected unit with ticket
    ``t`` can therefore only belong to a stratum whose cut-off is ``>= t``: the strata
    returned here. An observer of the public form who knows or estimates the cut-offs
    (the plan's ratios give them: about ``ratio * 2^64``) learns this much, no more, from
    one draw; several draws of the same firm narrow it further.

    Examples:
        >>> from randsupervise.draw import draw
        >>> from randsupervise.model import TargetRegistry
        >>> reg = TargetRegistry.from_columns(id=[f"T{i}" for i in range(40)],
        ...                                   risk_class="A" * 20 + "D" * 20)
        >>> r = draw(reg, seed="demo", stream="s", ratios={"A": 0.1, "D": 1.0}).receipt
        >>> b = class_bounds(r)
        >>> sum(v == ("D",) for v in b.values()) >= 15  # most D firms stand out
        True
    """
    d = _receipt_dict(receipt)
    cut = {
        label: max(int(t, 16) for t in s["tickets"])
        for label, s in d["strata"].items()
        if s["tickets"]
    }
    out: dict[str, tuple[str, ...]] = {}
    for s in d["strata"].values():
        for i, t in zip(s["selected"], s["tickets"], strict=True):
            out[i] = tuple(sorted(label for label, c in cut.items() if c >= int(t, 16)))
    return out
