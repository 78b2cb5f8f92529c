"""Verify a published draw: recompute it from the register and say exactly what differs.

Invariants (DESIGN principle 4; plan §三(二) "一公开"):

* :func:`verify` needs only the receipt and the register (and, optionally, the frequency
  history; for a burden-spread draw, the burden history): the seed, stream and policy are
  read from the receipt, the draw is recomputed by the same engine, and every field is
  compared.
* A burden-spread draw (plan §三(五)) cannot be recomputed without its history: the tiers
  come from it. Verifying one without ``burden=`` is a difference that says so; a history
  whose digest is not the recorded one is a difference too, and the recomputation under
  the given history then shows which tiers and selections it changes.
* A verification lists **every** difference it finds, each with where it is (a path such
  as ``strata.B.selected``), what the receipt says and what the recomputation gives.
* Checks: algorithm and ticket versions; the receipt's own digest (an edited receipt);
  the seed against its stated source text; the register's digest and size; the
  frequency-limit history (when given); per stratum the population, sample size, the
  selected ids, their tickets and probabilities, the batches.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

import attrs

from randsupervise.draw.coordination import BurdenHistory
from randsupervise.draw.engine import DrawPolicy, HistoryEntry, _history_exclusions, run_policy
from randsupervise.draw.receipt import DRAW_ALGORITHM, DRAW_VERSION, Receipt
from randsupervise.draw.seed import Seed
from randsupervise.draw.tickets import TICKET_ALGORITHM, TICKET_VERSION
from randsupervise.errors import RandSuperviseError
from randsupervise.model.targets import TargetRegistry

__all__ = ["Difference", "VerifyReport", "verify"]


@attrs.frozen(kw_only=True)
class Difference:
    """One thing the receipt says that the recomputation does not confirm.

    ``where`` is a dotted path into the receipt, ``receipt`` the value the receipt holds
    and ``recomputed`` the value the recomputation gives.
    """

    where: str
    message: str
    receipt: Any = None
    recomputed: Any = None

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@attrs.frozen(kw_only=True)
class VerifyReport:
    """The outcome of :func:`verify`: ``ok`` when nothing differs.

    Examples:
        >>> VerifyReport(differences=()).ok
        True
    """

    differences: tuple[Difference, ...]
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.differences

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        if self.ok:
            head = "receipt verified: the draw recomputes exactly"
        else:
            head = f"receipt does NOT verify: {len(self.differences)} difference(s)"
        lines = [
            head,
            *(f"  - {d}" for d in self.differences),
            *(f"  note: {n}" for n in self.notes),
        ]
        return "\n".join(lines)


def _show(values: list[str], limit: int = 10) -> str:
    shown = ", ".join(repr(v) for v in values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


def _compare_lists(where: str, got: list[Any], want: list[Any], what: str) -> list[Difference]:
    if got == want:
        return []
    out: list[Difference] = []
    if what == "ids":
        gs, ws = set(got), set(want)
        only_r = [x for x in got if x not in ws]
        only_c = [x for x in want if x not in gs]
        if only_r:
            out.append(
                Difference(
                    where=where,
                    message=f"receipt lists {_show(only_r)} which the "
                    "recomputed draw does not select",
                    receipt=only_r,
                )
            )
        if only_c:
            out.append(
                Difference(
                    where=where,
                    message=f"the recomputed draw selects "
                    f"{_show(only_c)} which the receipt does not list",
                    recomputed=only_c,
                )
            )
        if out:
            return out
    first = next((i for i, (a, b) in enumerate(zip(got, want, strict=False)) if a != b), None)
    if first is None:
        msg = f"{len(got)} {what} in the receipt, {len(want)} recomputed"
    else:
        msg = (
            f"{what} differ from position {first}: receipt {got[first]!r}, "
            f"recomputed {want[first]!r}"
        )
    return [Difference(where=where, message=msg, receipt=got, recomputed=want)]


def _value_difference(where: str, got: Any, want: Any) -> Difference:
    """A field whose value in the receipt is not the recomputed one."""
    return Difference(
        where=where, message=f"receipt {got!r}, recomputed {want!r}", receipt=got, recomputed=want
    )


def _seed_differences(receipt: Receipt) -> list[Difference]:
    try:
        seed = Seed.from_hex(receipt.seed)
    except RandSuperviseError as e:
        return [Difference(where="seed", message=str(e), receipt=receipt.seed)]
    src = receipt.seed_source
    expected: Seed | None = None
    try:
        if src:
            expected = Seed.from_source(src)
    except RandSuperviseError:
        expected = None
    if expected is not None and expected != seed:
        return [
            Difference(
                where="seed",
                message="the seed is not the hash of its stated source text",
                receipt=receipt.seed,
                recomputed=expected.hex,
            )
        ]
    return []


def _tiers_text(tiers: Any) -> str:
    if not isinstance(tiers, list):
        return repr(tiers)
    parts = []
    for t in tiers:
        if not isinstance(t, Mapping):
            return repr(tiers)
        periods = ",".join("never" if p is None else str(p) for p in t.get("last_inspected", []))
        parts.append(f"[{periods}] {t.get('sample_size')}/{t.get('population')}")
    return "; ".join(parts)


def _burden_differences(
    got: Mapping[str, Any] | None, want: Mapping[str, Any] | None
) -> list[Difference]:
    """Compare the receipt's burden record with the recomputation's, field by field."""
    if got is None or want is None:
        return []  # a missing side is reported where the history is checked
    if dict(got) == dict(want):
        return []
    out: list[Difference] = []
    digest_differs = (got.get("history") or {}).get("digest") != want["history"]["digest"]
    for key in sorted(set(got) | set(want)):
        if key == "strata" or (key == "history" and digest_differs):
            continue  # a different history is reported where the history is checked
        if got.get(key) != want.get(key):
            out.append(_value_difference(f"burden.{key}", got.get(key), want.get(key)))
    mine: Mapping[str, Any] = got["strata"] if isinstance(got.get("strata"), Mapping) else {}
    theirs: Mapping[str, Any] = want.get("strata") or {}
    for label in sorted(set(mine) | set(theirs)):
        a, b = mine.get(label), theirs.get(label)
        if a == b:
            continue
        if not isinstance(a, Mapping) or not isinstance(b, Mapping):
            out.append(
                Difference(
                    where=f"burden.strata.{label}",
                    message="stratum missing from the receipt or from the recomputation",
                    receipt=a,
                    recomputed=b,
                )
            )
            continue
        for key in sorted(set(a) | set(b)):
            if a.get(key) == b.get(key):
                continue
            d = _value_difference(f"burden.strata.{label}.{key}", a.get(key), b.get(key))
            if key == "tiers":
                d = attrs.evolve(
                    d,
                    message=f"tiers (periods, drawn/population) differ: receipt "
                    f"{_tiers_text(a.get(key))}; recomputed {_tiers_text(b.get(key))}",
                )
            out.append(d)
    return out


def verify(
    receipt: Receipt | Mapping[str, Any] | str,
    registry: TargetRegistry,
    *,
    history: Iterable[HistoryEntry] | None = None,
    burden: BurdenHistory | Sequence[Collection[str]] | Mapping[str, Collection[str]] | None = None,
) -> VerifyReport:
    """Recompute the draw a receipt describes and report every difference.

    Args:
        receipt: A :class:`Receipt`, its dict form or its JSON text.
        registry: The register the draw claims to be made from.
        history: The frequency history, when the draw applied frequency limits. Without
            it, a receipt that excluded units does not verify (the exclusions could not be
            checked); one that excluded nobody verifies with a note.
        burden: The inspection history of a burden-spread draw (the receipt's ``burden``
            record holds its digest); required to recompute such a draw.

    Raises:
        ValidationError: the receipt is malformed (missing keys, bad policy).

    Examples:
        >>> from randsupervise.draw.engine import draw
        >>> reg = TargetRegistry.from_columns(id=["a", "b", "c", "d"], risk_class="AABB")
        >>> r = draw(reg, seed="ceremony 2024-03-01", stream="t1", ratios={"A": 0.5}).receipt
        >>> verify(r, reg).ok
        True
        >>> other = TargetRegistry.from_columns(id=["a", "b", "c", "e"], risk_class="AABB")
        >>> print(verify(r, other))
        receipt does NOT verify: 1 difference(s)
          - registry_digest: the register differs from the one drawn from ...
    """
    if isinstance(receipt, str):
        receipt = Receipt.from_json(receipt)
    elif not isinstance(receipt, Receipt):
        receipt = Receipt.from_dict(receipt)
    diffs: list[Difference] = []
    notes: list[str] = []
    if receipt.algorithm != DRAW_ALGORITHM or receipt.version != DRAW_VERSION:
        diffs.append(
            Difference(
                where="algorithm",
                message="unsupported draw algorithm/version "
                f"{receipt.algorithm!r} v{receipt.version!r}",
            )
        )
        return VerifyReport(differences=tuple(diffs))
    want_ticket = {"algorithm": TICKET_ALGORITHM, "version": TICKET_VERSION}
    if dict(receipt.ticket) != want_ticket:
        diffs.append(
            Difference(
                where="ticket",
                message="unsupported ticket algorithm/version",
                receipt=receipt.ticket,
                recomputed=want_ticket,
            )
        )
        return VerifyReport(differences=tuple(diffs))
    if receipt.computed_digest() != receipt.receipt_digest:
        diffs.append(
            Difference(
                where="receipt_digest",
                message="the receipt was changed after "
                "it was made (its digest does not match its content)",
                receipt=receipt.receipt_digest,
                recomputed=receipt.computed_digest(),
            )
        )
    diffs += _seed_differences(receipt)
    if any(d.where == "seed" and d.recomputed is None for d in diffs):
        return VerifyReport(differences=tuple(diffs))
    seed = Seed.from_hex(receipt.seed)
    digest = registry.digest()
    if digest != receipt.registry_digest:
        diffs.append(
            Difference(
                where="registry_digest",
                message="the register differs from the one drawn from (content digest mismatch)",
                receipt=receipt.registry_digest,
                recomputed=digest,
            )
        )
    if len(registry) != receipt.registry_size:
        diffs.append(
            Difference(
                where="registry_size",
                message=f"receipt says "
                f"{receipt.registry_size} targets, the register has {len(registry)}",
                receipt=receipt.registry_size,
                recomputed=len(registry),
            )
        )
    policy = DrawPolicy.from_record(receipt.policy)
    recorded = receipt.burden
    if burden is not None and not isinstance(burden, BurdenHistory):
        burden = BurdenHistory.from_periods(burden)
    if recorded is None and burden is not None:
        diffs.append(
            Difference(
                where="burden",
                message="a burden history was given, but the receipt records no burden "
                "spreading (the draw did not use a history)",
                recomputed=burden.digest(),
            )
        )
        burden = None
    if recorded is not None:
        want = (recorded.get("history") or {}).get("digest")
        if burden is None:
            diffs.append(
                Difference(
                    where="burden.history",
                    message=f"this draw spread the burden over a history (digest {want}, "
                    f"periods {(recorded.get('history') or {}).get('periods')}): "
                    "pass it as verify(..., burden=BurdenHistory...) to recompute the draw",
                    receipt=want,
                )
            )
            return VerifyReport(differences=tuple(diffs), notes=tuple(notes))
        if burden.digest() != want:
            diffs.append(
                Difference(
                    where="burden.history.digest",
                    message="the burden history given is not the one the draw used",
                    receipt=want,
                    recomputed=burden.digest(),
                )
            )
    freq = receipt.frequency_limit
    stated = list(freq["excluded"]) if freq else []
    excluded: list[str] = stated
    h_digest = freq["history_digest"] if freq else None
    h_entries = freq["history_entries"] if freq else 0
    if history is not None:
        ex, h_digest, h_entries = _history_exclusions(registry, policy.item, history)
        excluded = list(ex)
        if not freq or freq.get("history_digest") != h_digest:
            diffs.append(
                Difference(
                    where="frequency_limit.history_digest",
                    message="the history given is not the one the draw used",
                    receipt=freq.get("history_digest") if freq else None,
                    recomputed=h_digest,
                )
            )
        diffs += _compare_lists("frequency_limit.excluded", stated, excluded, "ids")
    elif freq and stated:
        # An excluded unit cannot be drawn, so an unchecked exclusion list would let
        # whoever ran the draw shield anyone by claiming they reached their limit.
        diffs.append(
            Difference(
                where="frequency_limit.history",
                message=f"this draw excluded {len(stated)} unit(s) as having reached their "
                f"yearly limit (history digest {freq.get('history_digest')}); pass the "
                "frequency history (history=...) to check the exclusions",
                receipt=freq.get("history_digest"),
            )
        )
    elif freq:
        notes.append("frequency history not given: the draw excluded no unit, nothing to check")
    present = [u for u in excluded if u in registry]
    if len(present) != len(excluded):
        gone = [u for u in excluded if u not in registry]
        diffs.append(
            Difference(
                where="frequency_limit.excluded",
                message=f"excluded units not in the register: {_show(gone)}",
                receipt=gone,
            )
        )
    try:
        again = run_policy(
            registry,
            seed=seed,
            stream=receipt.stream,
            policy=policy,
            excluded=present,
            history_digest=h_digest,
            history_entries=h_entries,
            burden=burden,
        ).receipt
    except RandSuperviseError as e:
        diffs.append(Difference(where="policy", message=f"the draw cannot be recomputed: {e}"))
        return VerifyReport(differences=tuple(diffs), notes=tuple(notes))
    mine, theirs = receipt.strata, again.strata
    for label in sorted(set(mine) | set(theirs)):
        if label not in theirs:
            diffs.append(
                Difference(where=f"strata.{label}", message="stratum not in the recomputed draw")
            )
            continue
        if label not in mine:
            diffs.append(
                Difference(where=f"strata.{label}", message="stratum missing from the receipt")
            )
            continue
        a, b = mine[label], theirs[label]
        for key in (
            "population",
            "sample_size",
            "requested",
            "ratio",
            "count",
            "clipped",
            "note",
            "inclusion_probability",
            "expected_size",
        ):
            if a.get(key) != b.get(key):
                diffs.append(_value_difference(f"strata.{label}.{key}", a.get(key), b.get(key)))
        diffs += _compare_lists(
            f"strata.{label}.selected", list(a.get("selected", [])), list(b["selected"]), "ids"
        )
        if list(a.get("selected", [])) == list(b["selected"]):
            diffs += _compare_lists(
                f"strata.{label}.tickets", list(a.get("tickets", [])), list(b["tickets"]), "tickets"
            )
            diffs += _compare_lists(
                f"strata.{label}.probabilities",
                list(a.get("probabilities", [])),
                list(b["probabilities"]),
                "probabilities",
            )
    # everything else the receipt states must equal the recomputation too (a receipt edited
    # and resealed with a fresh receipt_digest must still fail)
    if dict(receipt.policy) != again.policy:
        diffs.append(
            Difference(
                where="policy",
                message="the policy is not in canonical form (unknown or altered fields)",
                receipt=receipt.policy,
                recomputed=again.policy,
            )
        )
    got_f = None if receipt.frequency_limit is None else dict(receipt.frequency_limit)
    want_f = None if again.frequency_limit is None else dict(again.frequency_limit)
    if got_f != want_f:
        keys = sorted(set(got_f or {}) | set(want_f or {}))
        bad = [k for k in keys if (got_f or {}).get(k) != (want_f or {}).get(k)]
        diffs.append(
            Difference(
                where="frequency_limit",
                message=f"differs from the recomputation in {bad}",
                receipt=got_f,
                recomputed=want_f,
            )
        )
    for label in sorted(set(mine) & set(theirs)):
        extra = sorted(set(mine[label]) ^ set(theirs[label]))
        if extra:
            diffs.append(
                Difference(where=f"strata.{label}", message=f"unexpected or missing keys {extra}")
            )
    diffs += _burden_differences(receipt.burden, again.burden)
    got_b = receipt.batches
    if got_b != again.batches:
        diffs.append(
            Difference(
                where="batches",
                message="the batches differ from the recomputed ones",
                receipt=got_b,
                recomputed=again.batches,
            )
        )
    return VerifyReport(differences=tuple(diffs), notes=tuple(notes))
