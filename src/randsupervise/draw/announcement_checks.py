"""Checking a receipt against its announcement.

Invariants, and the rule each comes from (RFC 3797; ICANN OCTO-41;
``docs/spec/announcement.md``):

* A receipt proves that a draw recomputes, not that it was the only one made: checked
  against its announcement it must draw exactly what was announced (register digest and
  size, policy with its filter and batches, stream, draw version, histories), and its seed
  must follow the announced rule. Every departure is a :class:`Difference` naming its JSON
  path (architecture principle 4, one report).
* The announcement itself must be unchanged since it was sealed, of the receipt's kind,
  and dated before its seed (:func:`announcement_differences`).
* The seed rule is checked in one place for every receipt kind
  (:func:`seed_rule_differences`; architecture principle 8); a ``"text"`` seed begins with
  the announced source, a ``"contributions"`` seed is the one the matching reveals make.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from randsupervise._core.canonical import digest
from randsupervise._core.frozen import thaw
from randsupervise._core.report import Difference, diff_trees, same_json
from randsupervise.draw.announcement_document import (
    _RECEIPT_MEMBERS_ANNOUNCED,
    Announcement,
    as_announcement,
    timeline_differences,
)
from randsupervise.draw.seed_rule import Reveal, SeedRule, read_reveals
from randsupervise.tickets.seed import canonical_seed_text

if TYPE_CHECKING:
    from randsupervise.draw.receipt import Receipt

__all__ = [
    "AnnouncementCheck",
    "announcement_differences",
    "check_announcement",
    "check_draw_announcement",
    "seed_rule_differences",
    "subject_list_differences",
    "subject_value_differences",
]

_CONTRIB_TAG = "contributions: "


def _not_announced(path: str, what: str, got: Any, announced: Any) -> Difference:
    return Difference(
        path=path,
        message=f"not the announced {what}: receipt {got!r}, announced {announced!r}",
        receipt=got,
        recomputed=announced,
    )


def announcement_differences(announcement: Announcement, kind: str) -> list[Difference]:
    """What is wrong with the announcement itself: changed after it was sealed, of another
    kind than the receipt, or dated on or after its seed. Paths start ``announcement.``."""
    out: list[Difference] = []
    want = announcement.computed_digest()
    if announcement.announcement_digest != want:
        out.append(
            Difference(
                path="announcement.announcement_digest",
                message="the announcement was changed after it was made (its digest does not "
                "match its content)",
                receipt=announcement.announcement_digest,
                recomputed=want,
            )
        )
    if announcement.kind != kind:
        out.append(
            Difference(
                path="announcement.kind",
                message=f"an announcement of a {announcement.kind}, not of a {kind}",
                receipt=kind,
                recomputed=announcement.kind,
            )
        )
    return out + timeline_differences(announcement)


def _contributions_of(source: str) -> list[str] | None:
    if not source.startswith(_CONTRIB_TAG):
        return None
    try:
        texts = json.loads(source[len(_CONTRIB_TAG) :])
    except ValueError:
        return None
    if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
        return None
    return texts


def seed_rule_differences(
    seed_hex: str,
    seed_source: str,
    rule: SeedRule,
    reveals: Iterable[Reveal | Mapping[str, Any]] | None = None,
    *,
    prefix: str = "",
) -> tuple[list[Difference], list[str]]:
    """Whether a recorded seed follows the announced rule. Shared by every receipt kind;
    ``prefix`` is put before the paths (``"[0]."`` in an assignment chain).

    ``"text"``: the seed text must begin with the announced source (its value is
    compared with the public record by ``expected_seed``). ``"contributions"``: the seed
    must be the one the matching ``reveals`` make; without them the commitments cannot be
    checked, which a note says.
    """
    if rule.method == "text":
        return _text_rule_differences(seed_source, rule, prefix), []
    texts = _contributions_of(seed_source)
    if texts is None:
        return [
            Difference(
                path=prefix + "seed_source",
                message="the announced seed is made from sealed contributions; this seed is not",
                receipt=seed_source,
            )
        ], []
    diffs: list[Difference] = []
    n_parties = len(rule.parties)
    if len(texts) > n_parties or (rule.missing == "void" and len(texts) != n_parties):
        diffs.append(
            Difference(
                path=prefix + "seed_source",
                message=f"{len(texts)} contribution(s); the announcement names {n_parties} "
                f"part(ies) and the rule for a missing reveal is {rule.missing!r}",
                receipt=len(texts),
                recomputed=n_parties,
            )
        )
    if reveals is None:
        return diffs, [
            "the reveals were not given: the contributions were not matched with the "
            "announced commitments (pass reveals=..., --reveals REVEALS.json)"
        ]
    more, notes = _reveal_differences(seed_hex, rule, reveals, prefix)
    return diffs + more, notes


def _text_rule_differences(seed_source: str, rule: SeedRule, prefix: str) -> list[Difference]:
    """A seed by the ``"text"`` rule: its text begins with the announced source, then the
    value the source gave."""
    canon = canonical_seed_text(seed_source)
    head = canonical_seed_text(rule.source)
    if canon.startswith(head + " ") and len(canon) > len(head) + 1:
        return []
    return [
        Difference(
            path=prefix + "seed_source",
            message=f"the seed text does not begin with the announced source {head!r} "
            "followed by the value it gave",
            receipt=seed_source,
            recomputed=head,
        )
    ]


def _reveal_differences(
    seed_hex: str, rule: SeedRule, reveals: Iterable[Reveal | Mapping[str, Any]], prefix: str
) -> tuple[list[Difference], list[str]]:
    """A seed by the ``"contributions"`` rule: the one the reveals that match the
    announced commitments make (refused and missing reveals noted)."""
    diffs: list[Difference] = []
    notes: list[str] = []
    outcome = rule.reveal(reveals)
    for p in outcome.problems():
        notes.append(f"reveal of {p.id!r} refused: {p.message}")
    if outcome.missing and outcome.seed is not None:
        notes.append(
            f"no reveal from {list(outcome.missing)}: by the announced rule ('others') the "
            f"seed is made from the reveals of {list(outcome.used)}"
        )
    if outcome.seed is None:
        gone = [*outcome.missing, *outcome.refused]
        diffs.append(
            Difference(
                path=prefix + "seed",
                message=f"by the announced rule ({rule.missing!r}) there is no seed: no valid "
                f"reveal from {gone}",
                receipt=seed_hex,
            )
        )
    elif outcome.seed.hex != seed_hex:
        why = f" (refused: {list(outcome.refused)})" if outcome.refused else ""
        diffs.append(
            Difference(
                path=prefix + "seed",
                message="not the seed of the reveals that match the announced commitments" + why,
                receipt=seed_hex,
                recomputed=outcome.seed.hex,
            )
        )
    return diffs, notes


def _draw_subject_differences(receipt: Receipt, subject: Mapping[str, Any]) -> list[Difference]:
    out: list[Difference] = []
    for key, (_, what) in _RECEIPT_MEMBERS_ANNOUNCED.items():
        got = getattr(receipt, key)
        if not same_json(got, subject[key]):
            out.append(_not_announced(key, what, got, subject[key]))
    policy = subject["policy"]
    if digest(thaw(policy)) != subject["policy_digest"]:
        out.append(
            Difference(
                path="announcement.draw.policy_digest",
                message="the announced policy digest is not the digest of the announced policy",
                receipt=subject["policy_digest"],
                recomputed=digest(thaw(policy)),
            )
        )
    for d in diff_trees(receipt.policy, policy, "policy"):
        out.append(
            Difference(
                path=d.path,
                message=f"not the announced policy: receipt {d.receipt!r}, announced "
                f"{d.recomputed!r}",
                receipt=d.receipt,
                recomputed=d.recomputed,
            )
        )
    freq = receipt.frequency_limit
    got_h = freq.get("history_digest") if freq else None
    if got_h != subject["frequency_history_digest"]:
        out.append(
            _not_announced(
                "frequency_limit.history_digest",
                "frequency history",
                got_h,
                subject["frequency_history_digest"],
            )
        )
    got_b = receipt.burden["history"]["digest"] if receipt.burden else None
    if got_b != subject["burden_history_digest"]:
        out.append(
            _not_announced(
                "burden.history.digest", "burden history", got_b, subject["burden_history_digest"]
            )
        )
    return out


def check_draw_announcement(
    receipt: Receipt,
    announcement: Announcement,
    *,
    reveals: Iterable[Reveal | Mapping[str, Any]] | None = None,
) -> tuple[list[Difference], list[str]]:
    """Differences and notes of a draw receipt against its announcement (what
    :func:`check_announcement` and ``verify(..., announcement=...)`` report)."""
    diffs = announcement_differences(announcement, "draw")
    if announcement.kind == "draw":
        diffs += _draw_subject_differences(receipt, announcement.subject)
    sd, notes = seed_rule_differences(
        receipt.seed, receipt.seed_source, announcement.seed_rule, reveals
    )
    return diffs + sd, notes


def check_announcement(
    receipt: Receipt | Mapping[str, Any] | str | bytes,
    announcement: Announcement | Mapping[str, Any] | str | bytes,
    *,
    reveals: Iterable[Reveal | Mapping[str, Any]] | str | bytes | None = None,
) -> list[Difference]:
    """Every way a draw receipt departs from its announcement, each a :class:`Difference`
    naming the JSON path in the receipt (``stream``, ``registry_digest``,
    ``policy.batches``, ``seed``) or in the announcement (``announcement.seed_rule.date``).

    It checks that the receipt draws exactly what was announced (register digest and
    size, policy with its filter and batches, stream, draw version, histories) and that
    its seed follows the announced rule. It does not recompute the draw: ``verify`` does,
    and with ``announcement=`` it runs this check too.

    Examples:
        >>> from randsupervise.draw.announcement import SeedRule, announce_draw
        >>> from randsupervise.draw.engine import draw
        >>> from randsupervise.model.targets import TargetRegistry
        >>> reg = TargetRegistry.from_columns(id=["a", "b", "c", "d"], risk_class="AABB")
        >>> rule = SeedRule(method="text", source="ceremony dice", date="2024-03-01")
        >>> a = announce_draw(reg, stream="t1", ratios={"A": 0.5}, seed_rule=rule,
        ...                   date="2024-02-20")
        >>> seed = a.seed(value="3 6 1 2")
        >>> check_announcement(draw(reg, seed=seed, stream="t1", ratios={"A": 0.5}).receipt, a)
        []
        >>> again = draw(reg, seed=seed, stream="t1-again", ratios={"A": 0.5}).receipt
        >>> [d.path for d in check_announcement(again, a)]
        ['stream']
    """
    from randsupervise.draw.receipt import as_receipt

    if isinstance(reveals, str | bytes):
        reveals = read_reveals(reveals)
    diffs, _ = check_draw_announcement(
        as_receipt(receipt), as_announcement(announcement), reveals=reveals
    )
    return diffs


def subject_list_differences(
    path: str, what: str, got: Sequence[Any], announced: Sequence[Any]
) -> list[Difference]:
    """Entry-by-entry differences of a list the receipt holds against the announced one."""
    return [
        Difference(
            path=d.path,
            message=f"not the announced {what}: "
            + d.message.replace("recomputation", "announcement").replace("recomputed", "announced"),
            receipt=d.receipt,
            recomputed=d.recomputed,
        )
        for d in diff_trees(thaw(got), thaw(announced), path)
    ]


def subject_value_differences(
    receipt: Mapping[str, Any], subject: Mapping[str, Any], keys: Iterable[str]
) -> list[Difference]:
    """Each of ``keys`` whose value in the receipt is not the announced one (the path is
    the key; the message names it with spaces for underscores).

    Examples:
        >>> [str(d) for d in subject_value_differences(
        ...     {"stream": "b", "plan_digest": "x"}, {"stream": "a", "plan_digest": "x"},
        ...     ("stream", "plan_digest"))]
        ["stream: not the announced stream: receipt 'b', announced 'a'"]
    """
    return [
        _not_announced(key, key.replace("_", " "), receipt.get(key), subject[key])
        for key in keys
        if receipt.get(key) != subject[key]
    ]


@attrs.frozen
class AnnouncementCheck:
    """The check of one kind of receipt (a parsed mapping) against its announcement,
    called as ``check(receipt, announcement, *, reveals=None)`` and giving the differences
    and the notes: the announcement itself (:func:`announcement_differences`), then, when
    it is of this kind, ``subject_differences(receipt, subject)`` (paths within the
    receipt), then the receipt's seed against the announced rule
    (:func:`seed_rule_differences`).

    Examples:
        >>> from randsupervise.draw.announcement_document import Announcement
        >>> rule = SeedRule(method="text", source="dice", date="2024-03-01")
        >>> a = Announcement.make(kind="assignment", date="2024-02-20", seed_rule=rule,
        ...                       subject={"version": 2, "stream": "s", "inputs": {}})
        >>> check = AnnouncementCheck("assignment", lambda r, s: subject_value_differences(
        ...     r, s, ["stream"]))
        >>> seed = a.seed(value="4 2")
        >>> diffs, notes = check({"stream": "t", "seed": seed.hex, "seed_source": seed.source}, a)
        >>> [str(d) for d in diffs]
        ["stream: not the announced stream: receipt 't', announced 's'"]
    """

    kind: str
    subject_differences: Callable[[Mapping[str, Any], Mapping[str, Any]], list[Difference]]

    def __call__(
        self,
        receipt: Mapping[str, Any],
        announcement: Announcement,
        *,
        reveals: Iterable[Reveal | Mapping[str, Any]] | None = None,
    ) -> tuple[list[Difference], list[str]]:
        diffs = announcement_differences(announcement, self.kind)
        if announcement.kind == self.kind:
            diffs += self.subject_differences(receipt, announcement.subject)
        seed_source = str(receipt.get("seed_source", ""))
        sd, notes = seed_rule_differences(
            str(receipt["seed"]), seed_source, announcement.seed_rule, reveals
        )
        return diffs + sd, notes
