"""Receipt checks: a genuine receipt verifies, and every tampering is caught.

Invariants, each with the rule it comes from (architecture principle 4: one receipt
design, verified into one report):

* :func:`check_receipt` verifies the genuine receipt, then tampers with it (each leaf,
  the seal, the register) and expects every tampering to be caught; the check is exact,
  with no statistics.
* A resealed change to a field that only describes how the draw was asked for
  (``_CLAIM_FIELDS``) that still verifies is a true receipt of an equivalent request, not
  a miss.
* When a receipt does not verify, the report lists verify's differences.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any, Literal

import attrs
import numpy as np

import randsupervise.model as model
from randsupervise._core.canonical import digest, sha256_hex
from randsupervise.draw.verify import verify as _verify_draw
from randsupervise.errors import RandSuperviseError
from randsupervise.model import TargetRegistry
from randsupervise.testing.outcomes import _attr, _receipt_dict
from randsupervise.tickets.seed import Seed

__all__ = ["ReceiptReport", "Tampering", "check_receipt"]


#: Receipt fields that describe *how* a draw was asked for, not what was drawn: a
#: resealed change to one of them that still verifies is a true receipt of an equivalent
#: request (e.g. ``min_per_stratum`` 1 when every stratum draws at least one anyway).
_CLAIM_FIELDS = ("policy", "seed_source")


@attrs.frozen(kw_only=True)
class Tampering:
    """One single change made to a receipt or to the register, and what verify said.

    ``how`` is ``"resealed"`` when the receipt's own digest was recomputed after the change
    (a forger who knows the digest rule), ``"plain"`` for a receipt change left unsealed,
    ``"register"`` for a changed register. ``outcome`` is ``"caught"``; ``"harmless"`` when
    verify accepted a resealed change of a request field (``policy``, ``seed_source``) and
    so confirmed that the changed request gives exactly the same draw; or ``"missed"``.
    """

    where: str
    how: str
    outcome: Literal["caught", "harmless", "missed"]
    detail: str = ""

    @property
    def caught(self) -> bool:
        return self.outcome != "missed"

    def __str__(self) -> str:
        more = f": {self.detail}" if self.detail else ""
        return f"{self.where} ({self.how}): {self.outcome}{more}"


@attrs.frozen(kw_only=True)
class ReceiptReport:
    """What :func:`check_receipt` tried: every tampering, none missed."""

    verified: bool
    tamperings: tuple[Tampering, ...]

    @property
    def missed(self) -> tuple[Tampering, ...]:
        return tuple(t for t in self.tamperings if t.outcome == "missed")

    @property
    def harmless(self) -> tuple[Tampering, ...]:
        return tuple(t for t in self.tamperings if t.outcome == "harmless")

    @property
    def passed(self) -> bool:
        return self.verified and not self.missed

    def __str__(self) -> str:
        caught = len(self.tamperings) - len(self.missed) - len(self.harmless)
        head = (
            f"receipt: {'verifies' if self.verified else 'does NOT verify'}; "
            f"{caught} of {len(self.tamperings)} single tamperings caught, "
            f"{len(self.harmless)} harmless, {len(self.missed)} missed"
        )
        return "\n".join([head, *(f"  {t}" for t in self.missed[:20])])


VerifyFn = Callable[[dict[str, Any], TargetRegistry | None], Any]


def _default_verify(receipt: dict[str, Any], registry: TargetRegistry | None) -> Any:
    if registry is None:
        raise TypeError("verifying a draw receipt needs the register")
    return _verify_draw(receipt, registry)


def _reseal(receipt: dict[str, Any]) -> dict[str, Any] | None:
    """The receipt with its own digest recomputed, or ``None`` if it has no digest."""
    if "receipt_digest" not in receipt:
        return None
    body = {k: v for k, v in receipt.items() if k != "receipt_digest"}
    try:  # the receipt's own version's canonical form (docs/spec/receipts.md)
        sealed = digest(body, "v1" if body.get("version") == 1 else "jcs")
    except ValueError:  # a tampering with no canonical form cannot be resealed
        return None
    return {**receipt, "receipt_digest": sealed}


def _other_id(value: str, ids: Sequence[str], avoid: Collection[str]) -> str:
    for cand in ids:
        if cand != value and cand not in avoid:
            return cand
    return value + "-x"


def _tampered_leaf(value: Any, key: str, ids: Sequence[str], selected: Collection[str]) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return value + 0.5 if value < 0.5 else value / 2
    if isinstance(value, str):
        if value in selected:
            return _other_id(value, ids, selected)
        if len(value) >= 16 and all(c in "0123456789abcdef" for c in value):
            return value[:-1] + ("0" if value[-1] != "0" else "1")
        return value + " (tampered)"
    if value is None:
        if key == "frequency_limit":
            extra = _other_id("", ids, selected)
            return {"item": "X", "limit": 1, "history_digest": None, "history_entries": 0,
                    "excluded": [extra]}  # fmt: skip
        if key == "batches":
            return [list(selected), []]
        return 0.5 if key.endswith("probability") else "tampered"
    return None


def _tamperings(
    value: Any,
    path: str,
    key: str,
    ids: Sequence[str],
    selected: Collection[str],
    limit: int,
    unordered: Collection[str] = (),
) -> Iterable[tuple[str, Any]]:
    """Every single change of ``value``: ``(path, new value)``."""
    if isinstance(value, Mapping):
        for k in value:
            for p, new in _tamperings(value[k], f"{path}.{k}" if path else str(k), str(k), ids,
                                      selected, limit, unordered):  # fmt: skip
                yield p, {**value, k: new}
        return
    if isinstance(value, list):
        if value:
            yield f"{path}[-1] dropped", value[:-1]
            if len(value) > 1 and path not in unordered:
                yield f"{path}[0]<->[1] swapped", [value[1], value[0], *value[2:]]
        for j, item in enumerate(value[:limit]):
            for p, new in _tamperings(item, f"{path}[{j}]", key, ids, selected, limit, unordered):
                yield p, [*value[:j], new, *value[j + 1 :]]
        if key in ("selected", "excluded") or (value and all(isinstance(v, str) for v in value)):
            yield f"{path}+[another id]", [*value, _other_id("", ids, set(value) | set(selected))]
        return
    yield path, _tampered_leaf(value, key, ids, selected)


def _registry_tamperings(
    registry: TargetRegistry, selected: Collection[str]
) -> Iterable[tuple[str, TargetRegistry]]:
    n = len(registry)
    ids = registry.ids.tolist()
    sel = [i for i, uid in enumerate(ids) if uid in selected][:1]
    unsel = [i for i, uid in enumerate(ids) if uid not in selected][:1]
    for label, rows in (("a selected row", sel), ("an unselected row", unsel)):
        for i in rows:
            t = registry.target(i)
            risk = model.RiskClass((int(t.risk_class) + 1) % 4)
            changed, _ = registry.apply([
                model.UpdateTarget(id=t.id, fields={"risk_class": risk}),
            ])  # fmt: skip
            yield f"register: risk class of {label} ({t.id!r})", changed
            keep = np.ones(n, dtype=bool)
            keep[i] = False
            yield f"register: {label} ({t.id!r}) removed", registry.take(keep)
            moved = attrs.evolve(t, id=t.id + "-renamed")
            renamed, _ = registry.apply(
                [model.RemoveTarget(id=t.id), model.AddTarget(target=moved)]
            )
            yield f"register: id of {label} ({t.id!r}) changed", renamed
    added, _ = registry.apply(
        [model.AddTarget(target=model.Target(id=_other_id("", [], set(ids)) + "new", name="new"))]
    )
    yield "register: one row added", added


def _caught(
    verify_fn: VerifyFn, receipt: dict[str, Any], registry: TargetRegistry | None
) -> tuple[bool, str]:
    try:
        outcome = verify_fn(receipt, registry)
    except RandSuperviseError as e:
        return True, f"rejected: {type(e).__name__}"
    except Exception as e:  # a crash is not a verdict: report it
        return False, f"verify crashed with {type(e).__name__}: {e}"
    ok = bool(getattr(outcome, "ok", outcome))
    return (not ok), _why_not(outcome) if not ok else "verify still says ok"


def _brief(value: Any, limit: int = 100) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + " ..."


def _why_not(outcome: Any, limit: int = 10) -> str:
    """What verify said when it said no: each difference with its path, its sentence and
    the value in the receipt against the value recomputed (from a
    :class:`~randsupervise.draw.VerifyReport`, or anything with ``differences``)."""
    differences = _attr(outcome, "differences")
    if not differences:
        return "verify says no" if not isinstance(outcome, bool) else "verify returned False"
    lines = []
    for d in list(differences)[:limit]:
        line = str(d)
        got, want = _attr(d, "receipt"), _attr(d, "recomputed")
        if got is not None or want is not None:
            line += f" [receipt {_brief(got)}, recomputed {_brief(want)}]"
        lines.append(line)
    more = len(differences) - limit
    if more > 0:
        lines.append(f"... and {more} more")
    return f"{len(differences)} difference(s):\n    - " + "\n    - ".join(lines)


def _is_genuine(receipt: dict[str, Any], registry: TargetRegistry | None) -> bool:
    """Whether the library's own verify accepts ``receipt``: then it is a true receipt of
    the request it states (only draw receipts with a register can be judged)."""
    if registry is None or "strata" not in receipt:
        return False
    try:
        report = _verify_draw(receipt, registry)
    except RandSuperviseError:
        return False
    # Without the frequency history the library recomputes the draw from the receipt's
    # stated exclusions and only flags that they are unchecked: that flag alone does not
    # make the stated request untrue (the suite's own verify_fn checked the history).
    return all(d.where == "frequency_limit.history" for d in report.differences)


def _tampering(
    verify_fn: VerifyFn,
    receipt: dict[str, Any],
    registry: TargetRegistry | None,
    where: str,
    how: str,
) -> Tampering:
    hit, why = _caught(verify_fn, receipt, registry)
    if hit:
        return Tampering(where=where, how=how, outcome="caught")
    field = where.split(".")[0].split(":")[0]
    if how == "resealed" and field in _CLAIM_FIELDS and _is_genuine(receipt, registry):
        return Tampering(
            where=where,
            how=how,
            outcome="harmless",
            detail="a true receipt of an equivalent request: it recomputes to the same draw",
        )
    return Tampering(where=where, how=how, outcome="missed", detail=why)


def check_receipt(
    result: Any,
    registry: TargetRegistry | None = None,
    *,
    verify_fn: VerifyFn | None = None,
    max_list_items: int = 20,
    unordered: Collection[str] = (),
) -> ReceiptReport:
    """Check that a receipt verifies and that every single tampering with it is caught.

    Tamperings tried, each alone, each both plain and resealed (the receipt's own digest
    recomputed after the change, as a forger would): every field of the receipt (nested
    fields too; in lists the first ``max_list_items`` entries, plus dropping the last,
    swapping the first two and appending an id), every selected id replaced by an
    unselected one, the seed (a flipped digit, and another public seed with a consistent
    source text); and the register: a selected and an unselected row's risk class
    changed, removed or renamed, and a row added.

    Args:
        result: a :class:`~randsupervise.draw.Draw`, a
            :class:`~randsupervise.draw.Receipt`, a receipt dict, or anything with a
            ``receipt`` attribute (an :class:`~randsupervise.assign.Assignment`).
        registry: the register drawn from (``None``: register tamperings are skipped).
        verify_fn: ``verify_fn(receipt_dict, registry)`` returning something truthy (or
            with ``.ok``) when the receipt verifies; default
            :func:`randsupervise.draw.verify`. Raising a library error counts as catching.
        max_list_items: how many entries of each list are tampered with one by one.
        unordered: paths of lists whose order carries no meaning (e.g. ``"teams"`` of an
            assignment receipt, keyed by visit): swapping their entries is not tried.

    Raises:
        AssertionError: the receipt does not verify (the message lists verify's
            differences: path, value in the receipt, value recomputed), or some tampering
            went unnoticed (the message lists them).

    Examples:
        >>> from randsupervise.draw import draw
        >>> reg = TargetRegistry.from_columns(id=[f"T{i}" for i in range(12)],
        ...                                   risk_class="AB" * 6)
        >>> d = draw(reg, seed="public text", stream="2024/1", ratios={"A": 0.5, "B": 0.3})
        >>> report = check_receipt(d, reg)
        >>> report.passed, len(report.tamperings) > 50
        (True, True)
        >>> check_receipt(d, reg, verify_fn=lambda receipt, registry: True)
        Traceback (most recent call last):
        ...
        AssertionError: receipt: verifies; 0 of ... single tamperings caught, 1 harmless, ...
        >>> check_receipt(d, TargetRegistry.from_columns(id=["T0", "T1"], risk_class="AB"))
        Traceback (most recent call last):
        ...
        AssertionError: receipt: does NOT verify: ... difference(s):
            - registry_digest: ...
    """
    if (
        isinstance(max_list_items, bool)
        or not isinstance(max_list_items, int)
        or max_list_items < 0
    ):
        raise ValueError(f"max_list_items must be an int >= 0, got {max_list_items!r}")
    receipt = _receipt_dict(result)
    if receipt is None:
        raise TypeError(f"no receipt in {type(result).__name__}")
    vf = verify_fn or _default_verify
    ok, detail = _caught(vf, receipt, registry)
    verified = not ok
    if not verified:
        raise AssertionError(f"receipt: does NOT verify: {detail}")
    done = _tamper_all(vf, receipt, registry, max_list_items, tuple(unordered))
    report = ReceiptReport(verified=verified, tamperings=tuple(done))
    if report.missed:
        raise AssertionError(str(report))
    return report


def _all_selected(receipt: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    strata = receipt.get("strata")
    if isinstance(strata, Mapping):
        for s in strata.values():
            if isinstance(s, Mapping):
                out += [str(x) for x in s.get("selected", [])]
    for t in receipt.get("teams", []) or []:
        if isinstance(t, Mapping):
            out += [str(x) for x in t.get("officers", [])] + [str(x) for x in t.get("experts", [])]
    return out


def _tamper_all(
    vf: VerifyFn,
    receipt: dict[str, Any],
    registry: TargetRegistry | None,
    max_list_items: int,
    unordered: tuple[str, ...],
) -> list[Tampering]:
    """Every tampering tried, each once: each leaf (plain, and resealed when that is
    possible), another public seed, and the register's own changes."""
    ids = registry.ids.tolist() if registry is not None else []
    selected = set(_all_selected(receipt))
    done: list[Tampering] = []
    seen: set[str] = set()

    def attempt(where: str, new: dict[str, Any]) -> None:
        key = where + sha256_hex(new)
        if key in seen or new == receipt:
            return
        seen.add(key)
        done.append(_tampering(vf, new, registry, where, "plain"))
        sealed = _reseal(new)
        if sealed is not None and sealed != new and where != "receipt_digest":
            done.append(_tampering(vf, sealed, registry, where, "resealed"))

    for where, new in _tamperings(receipt, "", "", ids, selected, max_list_items, unordered):
        attempt(where, new)
    if "seed" in receipt and "seed_source" in receipt:
        other = Seed.from_text(f"{receipt.get('seed_source', '')} (another ceremony)")
        attempt("seed: another public seed", {**receipt, "seed": other.hex,
                                              "seed_source": other.source})  # fmt: skip
    if registry is not None:
        for where, reg in _registry_tamperings(registry, selected):
            done.append(_tampering(vf, receipt, reg, where, "register"))
    return done
