"""Verify a published draw: recompute it from the register and say exactly what differs.

Invariants (architecture principle 4; plan §三(二) "一公开"; ``docs/spec/receipts.md``):

* :func:`verify` needs only the receipt and the register (and, when the draw used them,
  the frequency history and the burden history): the seed, stream, policy and version are
  read from the receipt, the draw is recomputed by the same engine under the receipt's
  version, and the whole recomputed receipt is compared with the published one, key by
  key (:func:`~randsupervise._core.report.diff_trees`): no field can escape the check.
* Receipts of every version in :data:`~randsupervise.draw.receipt.VERSIONS` verify.
* A receipt is parsed strictly: malformed JSON, duplicate keys, non-finite numbers, wrong
  types and unknown fields raise :class:`~randsupervise.errors.ValidationError` naming the
  JSON path; they are bad input, not "does not verify".
* The seed is checked against its stated public source; with ``expected_seed`` (the
  public text announced before the draw) also against what was announced, so a draw made
  under a seed of the operator's choosing does not verify.
* An unchecked exclusion never passes: a receipt that left units out for their frequency
  limit does not verify without the history that justifies it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from randsupervise._core.envelope import seal_differences
from randsupervise._core.report import Difference, VerifyReport, diff_trees
from randsupervise.draw.announcement import (
    Announcement,
    Reveal,
    as_announcement,
    check_draw_announcement,
)
from randsupervise.draw.coordination import BurdenHistory
from randsupervise.draw.engine import run_policy
from randsupervise.draw.frequency import HistoryEntry, frequency_exclusions
from randsupervise.draw.history import History
from randsupervise.draw.policy import DrawPolicy
from randsupervise.draw.receipt import (
    DRAW_ALGORITHM,
    RECEIPT_FORMAT,
    VERSIONS,
    Receipt,
    as_receipt,
)
from randsupervise.errors import Problem, RandSuperviseError, ValidationError
from randsupervise.model.targets import TargetRegistry
from randsupervise.tickets.function import TICKET_RECORD
from randsupervise.tickets.seed import Seed

__all__ = ["Difference", "VerifyReport", "as_receipt", "seed_differences", "verify"]

BurdenInput = BurdenHistory | Sequence[Collection[str]] | Mapping[str, Collection[str]]


def seed_differences(
    seed_hex: str, source: str, expected: Seed | str | None
) -> tuple[list[Difference], list[str]]:
    """Check a recorded seed against its stated public source and, when given, against the
    source announced beforehand (``expected``: a :class:`Seed` or its public text).

    Shared by every kind of receipt. Returns the differences and the notes.
    """
    notes: list[str] = []
    try:
        seed = Seed.from_hex(seed_hex)
    except RandSuperviseError as e:
        return [Difference(path="seed", message=str(e), receipt=seed_hex)], notes
    out: list[Difference] = []
    stated: Seed | None = None
    if source and not source.startswith("hex:"):
        try:
            stated = Seed.from_source(source)
        except RandSuperviseError as e:
            out.append(Difference(path="seed_source", message=str(e), receipt=source))
    if stated is not None and stated != seed:
        out.append(
            Difference(
                path="seed",
                message="the seed is not the hash of its stated source text",
                receipt=seed_hex,
                recomputed=stated.hex,
            )
        )
    if expected is None:
        if stated is None:
            notes.append("the seed has no public source text: nothing ties it to a ceremony")
        else:
            notes.append(
                "the seed was not checked against an announced source (expected_seed, --seed-text)"
            )
        return out, notes
    want = expected if isinstance(expected, Seed) else Seed.from_source(expected)
    if want != seed:
        out.append(
            Difference(
                path="seed",
                message="the seed is not the one announced (expected_seed): the draw was "
                "made under another seed",
                receipt=seed_hex,
                recomputed=want.hex,
            )
        )
    return out, notes


def _header_differences(receipt: Receipt) -> list[Difference]:
    out: list[Difference] = []
    if receipt.algorithm != DRAW_ALGORITHM or receipt.version not in VERSIONS:
        out.append(
            Difference(
                path="version",
                message=f"unsupported draw algorithm/version {receipt.algorithm!r} "
                f"v{receipt.version!r} (this release verifies versions {sorted(VERSIONS)})",
                receipt=receipt.version,
            )
        )
        return out
    message = "unsupported ticket algorithm/version"
    return _mismatch("ticket", message, receipt.ticket, dict(TICKET_RECORD))


def _mismatch(path: str, message: str, recorded: object, recomputed: object) -> list[Difference]:
    """A difference at ``path`` when what the receipt records is not what was recomputed."""
    if recorded == recomputed:
        return []
    return [Difference(path=path, message=message, receipt=recorded, recomputed=recomputed)]


def _frequency(
    receipt: Receipt,
    registry: TargetRegistry,
    policy: DrawPolicy,
    history: Iterable[HistoryEntry] | None,
) -> tuple[list[str], str | None, int, list[Difference], list[str]]:
    """The exclusions to recompute with, and what the history check found."""
    freq = receipt.frequency_limit
    stated = list(freq["excluded"]) if freq else []
    diffs: list[Difference] = []
    notes: list[str] = []
    if history is not None and not policy.limited_items:
        diffs.append(
            Difference(
                path="frequency_limit",
                message="a frequency history was given, but the receipt records no item "
                "(the draw applied no frequency limit)",
            )
        )
        history = None
    if history is not None:
        excluded, h_digest, h_entries = frequency_exclusions(
            registry, policy.limited_items, history
        )
        diffs += _mismatch(
            "frequency_limit.history_digest",
            "the history given is not the one the draw used",
            freq.get("history_digest") if freq else None,
            h_digest,
        )
        return list(excluded), h_digest, h_entries, diffs, notes
    if freq and stated:
        # An excluded unit cannot be drawn, so an unchecked exclusion list would let
        # whoever ran the draw shield anyone by claiming they reached their limit.
        diffs.append(
            Difference(
                path="frequency_limit.history",
                message=f"this draw excluded {len(stated)} unit(s) as having reached their "
                f"yearly limit (history digest {freq.get('history_digest')}); pass the "
                "frequency history (history=...) to check the exclusions",
                receipt=freq.get("history_digest"),
            )
        )
    elif freq:
        notes.append("frequency history not given: the draw excluded no unit, nothing to check")
    present = [u for u in stated if u in registry]
    h_digest = freq["history_digest"] if freq else None
    h_entries = int(freq["history_entries"]) if freq else 0
    return present, h_digest, h_entries, diffs, notes


def _burden(
    receipt: Receipt, burden: BurdenInput | None
) -> tuple[BurdenHistory | None, list[Difference], bool]:
    """The burden history to recompute with, its differences, and whether to stop."""
    recorded = receipt.burden
    if burden is not None and not isinstance(burden, BurdenHistory):
        burden = BurdenHistory.from_periods(burden)
    if recorded is None:
        if burden is None:
            return None, [], False
        return (
            None,
            [
                Difference(
                    path="burden",
                    message="a burden history was given, but the receipt records no burden "
                    "spreading (the draw did not use a history)",
                    recomputed=burden.digest(),
                )
            ],
            False,
        )
    want = recorded["history"]["digest"]
    if burden is None:
        return (
            None,
            [
                Difference(
                    path="burden.history",
                    message=f"this draw spread the burden over a history (digest {want}, "
                    f"periods {list(recorded['history']['periods'])}): pass it as "
                    "verify(..., history=History(periods=...)) to recompute the draw",
                    receipt=want,
                )
            ],
            True,
        )
    message = "the burden history given is not the one the draw used"
    return burden, _mismatch("burden.history.digest", message, want, burden.digest()), False


def verify(
    receipt: Receipt | Mapping[str, Any] | str | bytes,
    registry: TargetRegistry,
    *,
    history: History | Iterable[HistoryEntry] | None = None,
    expected_seed: Seed | str | None = None,
    announcement: Announcement | Mapping[str, Any] | str | bytes | None = None,
    reveals: Iterable[Reveal | Mapping[str, Any]] | None = None,
) -> VerifyReport:
    """Recompute the draw a receipt describes and report every difference.

    Args:
        receipt: A :class:`Receipt`, its dict form or its JSON text.
        registry: The register the draw claims to be made from.
        history: The draw's :class:`~.history.History`, as given to the draw (or its
            frequency entries alone). Its frequency part is needed when the draw applied
            frequency limits: without it, a receipt that excluded units does not verify
            (the exclusions could not be checked); one that excluded nobody verifies with
            a note. Its periods are needed to recompute a burden-spread draw (the
            receipt's ``burden`` record holds their digest).
        expected_seed: The seed's public source as announced before the draw (its text,
            or a :class:`Seed`); the receipt's seed must be that one.
        announcement: The draw's announcement (:mod:`.announcement`), published before
            the seed existed: the receipt must draw what it announced, with a seed made by
            its rule (:func:`~.announcement.check_announcement`).
        reveals: With an announcement whose seed comes from sealed contributions: the
            published reveals, matched with the announced commitments.

    Raises:
        ValidationError: the receipt or the announcement is malformed (each bad JSON path
            named).

    Examples:
        >>> from randsupervise.draw.engine import draw
        >>> reg = TargetRegistry.from_columns(id=["a", "b", "c", "d"], risk_class="AABB")
        >>> r = draw(reg, seed="ceremony 2024-03-01", stream="t1", ratios={"A": 0.5}).receipt
        >>> verify(r, reg, expected_seed="ceremony 2024-03-01").ok
        True
        >>> verify(r, reg, expected_seed="ceremony 2024-03-02").differences[0].path
        'seed'
        >>> other = TargetRegistry.from_columns(id=["a", "b", "c", "e"], risk_class="AABB")
        >>> print(verify(r, other))
        draw receipt does NOT verify: 1 difference(s)
          - registry_digest: the register differs from the one drawn from ...
    """
    receipt = as_receipt(receipt)
    if not isinstance(registry, TargetRegistry):
        raise ValidationError([Problem(field="registry", message="expected a TargetRegistry")])
    diffs = _header_differences(receipt)
    if any(d.path == "version" for d in diffs):
        return VerifyReport(differences=tuple(diffs))
    diffs += _envelope_differences(receipt)
    seed_diffs, notes = seed_differences(receipt.seed, receipt.seed_source, expected_seed)
    diffs += seed_diffs
    if any(d.path == "seed" and d.recomputed is None for d in diffs):
        return VerifyReport(differences=tuple(diffs), notes=tuple(notes))
    if announcement is not None:
        a_diffs, a_notes = check_draw_announcement(
            receipt, as_announcement(announcement), reveals=reveals
        )
        diffs += a_diffs
        notes += a_notes
    diffs += _registry_differences(receipt, registry)
    try:
        policy = DrawPolicy.from_record(receipt.policy)
    except ValidationError as e:
        diffs.append(Difference(path="policy", message=f"not a valid policy: {e}"))
        return VerifyReport(differences=tuple(diffs), notes=tuple(notes))
    burden: BurdenHistory | None = None
    if isinstance(history, History):  # the one history input: both parts
        burden = history.periods
        history = history.entries
    burden_h, burden_diffs, stop = _burden(receipt, burden)
    diffs += burden_diffs
    if not stop:
        diffs += _recomputed_differences(receipt, registry, policy, history, burden_h, diffs, notes)
    return VerifyReport(differences=tuple(diffs), notes=tuple(notes))


def _envelope_differences(receipt: Receipt) -> list[Difference]:
    """A version-2 receipt's format and kind; the digest of its content (receipt spec)."""
    out: list[Difference] = []
    if receipt.version >= 2 and (receipt.format, receipt.kind) != (RECEIPT_FORMAT, "draw"):
        out.append(
            Difference(
                path="kind",
                message=f"a version-2 draw receipt has format {RECEIPT_FORMAT!r} and kind 'draw'",
                receipt=[receipt.format, receipt.kind],
            )
        )
    return out + seal_differences(receipt.to_dict(), receipt.form)


def _registry_differences(receipt: Receipt, registry: TargetRegistry) -> list[Difference]:
    """The register given is the one drawn from: its content digest and its size."""
    size = len(registry)
    return _mismatch(
        "registry_digest",
        "the register differs from the one drawn from (content digest mismatch)",
        receipt.registry_digest,
        registry.digest(),
    ) + _mismatch(
        "registry_size",
        f"receipt says {receipt.registry_size} targets, the register has {size}",
        receipt.registry_size,
        size,
    )


def _recomputed_differences(
    receipt: Receipt,
    registry: TargetRegistry,
    policy: DrawPolicy,
    history: Iterable[HistoryEntry] | None,
    burden: BurdenHistory | None,
    reported: Sequence[Difference],
    notes: list[str],
) -> list[Difference]:
    """The draw recomputed under the receipt's version and compared key by key; what
    ``reported`` already names (with its cause) is not repeated. Appends to ``notes``."""
    excluded, h_digest, h_entries, diffs, freq_notes = _frequency(
        receipt, registry, policy, history
    )
    notes += freq_notes
    missing = [u for u in excluded if u not in registry]
    if missing:
        diffs.append(
            Difference(
                path="frequency_limit.excluded",
                message=f"excluded units not in the register: {missing[:10]}",
                receipt=missing,
            )
        )
    try:
        again = run_policy(
            registry,
            seed=Seed(value=Seed.from_hex(receipt.seed).value, source=receipt.seed_source),
            stream=receipt.stream,
            policy=policy,
            excluded=[u for u in excluded if u in registry],
            history_digest=h_digest,
            history_entries=h_entries,
            burden=burden,
            version=receipt.version,
        ).receipt
    except RandSuperviseError as e:
        return [*diffs, Difference(path="policy", message=f"the draw cannot be recomputed: {e}")]
    paths = {d.path for d in [*reported, *diffs]}
    for d in diff_trees(receipt.body(), again.body()):
        if d.path in paths or (
            d.path.startswith("burden.history") and "burden.history.digest" in paths
        ):
            continue  # already reported above, with its cause
        diffs.append(d)
    return diffs
