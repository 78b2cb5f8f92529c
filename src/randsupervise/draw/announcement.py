"""Announcements (抽查预告): what will be drawn, and where the seed will come from, published
before the seed exists.

A receipt proves that a draw recomputes; it cannot prove that the draw was the only one
made. Whoever knows the seed before the register is frozen can shape the register, and
whoever may re-run a draw under other streams or seed texts can publish the receipt that
suits them: each of those receipts verifies. An announcement closes both doors (RFC 3797;
ICANN OCTO-41): it fixes, before the randomness exists, the register digest, the policy,
the stream labels, the batch count and the rule that makes the seed, and a verifier
checks the receipt against it (:func:`check_announcement`). Specified in
``docs/spec/announcement.md``.

Invariants:

* An announcement is a JSON object: ``format`` = :data:`ANNOUNCEMENT_FORMAT`, ``version``,
  ``kind`` (``"draw"``, ``"plan"`` or ``"assignment"``), ``date`` (ISO 8601, the day it is
  published), the subject under the key named by ``kind``, the ``seed_rule``, and
  ``announcement_digest``: the SHA-256 of the RFC 8785 canonical JSON of every other
  member. It is deeply immutable and parsed strictly (:meth:`Announcement.from_json`).
* **Seed rules.** ``"text"``: the seed is :meth:`Seed.from_text` of the announced
  ``source`` text, one space, and the value the source gives (lottery digits, dice read at
  the ceremony); a receipt's ``seed_source`` must begin with the announced source.
  ``"contributions"``: each named party published a commitment (:func:`commitment_of`)
  before the announcement; the seed is :meth:`Seed.from_contributions` of the texts of
  the reveals that match their commitments (independent of their order). A reveal that
  does not match is refused, naming the party. ``missing`` says what a missing reveal
  does: ``"void"`` (no seed: the draw cannot be made under this announcement) or
  ``"others"`` (the seed is made from the other reveals, and verification says so).
* **Commitment**: ``SHA-256(b"randsupervise.commit.v1" + b"\\x00" + salt +
  UTF-8(canonical contribution text))``, the salt being exactly 32 bytes written as 64
  lower-case hex digits, the canonical text as :func:`canonical_seed_text` makes it.
* **Timeline**: the seed rule's ``date`` (when the source gives its value) must be after
  the announcement's ``date``. The library sees no clock: it checks the order of the two
  dates as written; publication where dates are public (a gazette, the bureau's site, the
  national enterprise credit information publicity system) is what fixes them.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from randsupervise._core.canonical import digest
from randsupervise._core.frozen import freeze, thaw
from randsupervise._core.report import Difference, diff_trees, same_json
from randsupervise._core.strict_json import (
    ListOf,
    MapOf,
    Nullable,
    Obj,
    check_shape,
    join_path,
    parse,
)
from randsupervise.errors import Problem, ValidationError
from randsupervise.tickets.seed import Seed, canonical_seed_text

if TYPE_CHECKING:
    from randsupervise.draw.receipt import Receipt
    from randsupervise.model.targets import TargetRegistry

__all__ = [
    "ANNOUNCEMENT_FORMAT",
    "ANNOUNCEMENT_KINDS",
    "ANNOUNCEMENT_VERSION",
    "COMMIT_PREFIX",
    "MISSING_RULES",
    "SEED_METHODS",
    "Announcement",
    "Commitment",
    "Reveal",
    "RevealOutcome",
    "SeedRule",
    "announce_draw",
    "announcement_differences",
    "as_announcement",
    "check_announcement",
    "commitment_of",
    "read_reveals",
    "seed_rule_differences",
]

ANNOUNCEMENT_FORMAT = "randsupervise.announcement"
ANNOUNCEMENT_VERSION = 1
ANNOUNCEMENT_KINDS = ("draw", "plan", "assignment")
#: How the seed is made: from the public text a named source gives, or from sealed
#: contributions revealed after the announcement.
SEED_METHODS = ("text", "contributions")
#: What a missing reveal does: no seed at all, or a seed from the other reveals.
MISSING_RULES = ("void", "others")
COMMIT_PREFIX = b"randsupervise.commit.v1\x00"
_HEX64 = re.compile(r"[0-9a-f]{64}\Z")
_CONTRIB_TAG = "contributions: "


def _iso_date(value: object, field: str, problems: list[Problem]) -> str:
    """``value`` (a ``datetime.date`` or ``YYYY-MM-DD`` text) as ``YYYY-MM-DD``."""
    if isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):
        return value.isoformat()
    if isinstance(value, str) and len(value) == 10:
        try:
            parsed = _dt.date.fromisoformat(value).isoformat()
        except ValueError:
            parsed = None
        if parsed == value:  # only YYYY-MM-DD, so that dates order as text
            return value
    problems.append(Problem(field=field, message=f"not a date YYYY-MM-DD: {value!r}"))
    return str(value)


def _salt_bytes(salt: bytes | str) -> bytes:
    if isinstance(salt, str):
        if not _HEX64.match(salt):
            raise ValidationError(
                [Problem(field="salt", message="a salt is 64 lower-case hex digits (32 bytes)")]
            )
        return bytes.fromhex(salt)
    if not isinstance(salt, bytes) or len(salt) != 32:
        raise ValidationError([Problem(field="salt", message="a salt is exactly 32 bytes")])
    return salt


def commitment_of(text: str, salt: bytes | str) -> str:
    """The commitment to a sealed contribution: lower-case hex of
    ``SHA-256(b"randsupervise.commit.v1\\x00" + salt + UTF-8(canonical text))``.

    ``salt`` is 32 bytes (or their 64 lower-case hex digits), drawn by the party from a
    good source of randomness and kept secret until the reveal, so that nobody can guess a
    short contribution from its commitment. The text is canonical as for a seed
    (:func:`canonical_seed_text`): ``"4 2"`` and ``" 4  2 "`` are one contribution.

    Raises:
        ValidationError: an empty text, or a salt of another length.

    Examples:
        >>> c = commitment_of("甲: 7 1 8 2", "00" * 32)
        >>> c == commitment_of(" 甲:  7 1 8 2 ", bytes(32)), len(c)
        (True, 64)
    """
    if not isinstance(text, str) or not canonical_seed_text(text):
        raise ValidationError([Problem(field="text", message="a contribution is non-empty text")])
    data = COMMIT_PREFIX + _salt_bytes(salt) + canonical_seed_text(text).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


@attrs.frozen(kw_only=True)
class Commitment:
    """A party's published commitment (64 lower-case hex digits) to its contribution."""

    party: str
    commitment: str

    def __attrs_post_init__(self) -> None:
        problems = []
        if not isinstance(self.party, str) or not self.party.strip():
            problems.append(Problem(field="party", message="a party is named by non-empty text"))
        if not isinstance(self.commitment, str) or not _HEX64.match(self.commitment):
            problems.append(
                Problem(
                    id=str(self.party),
                    field="commitment",
                    message="a commitment is 64 lower-case hex digits",
                )
            )
        if problems:
            raise ValidationError(problems, what="commitment")

    def to_record(self) -> dict[str, str]:
        return {"party": self.party, "commitment": self.commitment}


@attrs.frozen(kw_only=True)
class Reveal:
    """A party's reveal: the salt (64 hex digits) and the contribution text.

    Examples:
        >>> r = Reveal(party="纪检组", salt="11" * 32, text="3 1 4")
        >>> r.matches(Commitment(party="纪检组", commitment=commitment_of("3 1 4", "11" * 32)))
        True
    """

    party: str
    salt: str
    text: str

    def commitment(self) -> str | None:
        """The commitment this reveal opens, or ``None`` when the salt or text is malformed."""
        try:
            return commitment_of(self.text, self.salt)
        except ValidationError:
            return None

    def matches(self, commitment: Commitment) -> bool:
        return commitment.party == self.party and self.commitment() == commitment.commitment

    def to_record(self) -> dict[str, str]:
        return {"party": self.party, "salt": self.salt, "text": self.text}


_REVEALS_SHAPE = ListOf(Obj(required={"party": str, "salt": str, "text": str}))


def read_reveals(data: str | bytes | Iterable[Reveal | Mapping[str, Any]]) -> tuple[Reveal, ...]:
    """Reveals from JSON text (a list of ``{"party", "salt", "text"}``), records or
    :class:`Reveal` s, parsed strictly.

    Raises:
        ValidationError: malformed (each bad JSON path named).
    """
    raw: Any = parse(data, what="reveals") if isinstance(data, str | bytes) else data
    if isinstance(raw, Mapping):
        check_shape(raw, _REVEALS_SHAPE, what="reveals")  # names it: a list is expected
    items: list[Any] = list(raw)
    records = [r.to_record() if isinstance(r, Reveal) else r for r in items]
    check_shape(records, _REVEALS_SHAPE, what="reveals")
    return tuple(Reveal(**r) for r in records)


@attrs.frozen(kw_only=True)
class RevealOutcome:
    """What a set of reveals gives under a seed rule of method ``"contributions"``.

    ``used`` are the parties whose reveal matched (their texts make the seed),
    ``refused`` those whose reveal did not match their commitment, ``missing`` those who
    did not reveal, ``unknown`` reveals from parties the announcement does not name and
    ``duplicated`` parties who revealed twice. ``seed`` is ``None`` when the rule leaves
    no seed (``"void"`` with a reveal missing or refused, or no reveal at all).
    """

    seed: Seed | None
    used: tuple[str, ...]
    refused: tuple[str, ...]
    missing: tuple[str, ...]
    unknown: tuple[str, ...]
    duplicated: tuple[str, ...]

    def problems(self) -> list[Problem]:
        """The refusals, each naming its party."""
        out = [
            Problem(
                id=p, field="reveal", message="the reveal does not match the party's commitment"
            )
            for p in self.refused
        ]
        out += [
            Problem(id=p, field="reveal", message="not a party named in the announcement")
            for p in self.unknown
        ]
        out += [
            Problem(id=p, field="reveal", message="revealed more than once")
            for p in self.duplicated
        ]
        return out


def _seed_rule_problems(rule: SeedRule) -> list[Problem]:
    problems: list[Problem] = []
    if rule.method not in SEED_METHODS:
        problems.append(
            Problem(field="method", message=f"one of {SEED_METHODS}, not {rule.method!r}")
        )
    if not isinstance(rule.source, str) or not canonical_seed_text(rule.source):
        problems.append(
            Problem(field="source", message="the seed's source is named by non-empty text")
        )
    _iso_date(rule.date, "date", problems)
    if rule.method == "contributions":
        if not rule.parties:
            problems.append(Problem(field="parties", message="contributions need named parties"))
        names = [c.party for c in rule.parties]
        for name in sorted({n for n in names if names.count(n) > 1}):
            problems.append(Problem(id=name, field="parties", message="party named twice"))
        if rule.missing not in MISSING_RULES:
            problems.append(
                Problem(field="missing", message=f"one of {MISSING_RULES}, not {rule.missing!r}")
            )
    elif rule.method == "text" and (rule.parties or rule.missing is not None):
        problems.append(
            Problem(
                field="parties", message="a text seed rule names no parties and no missing rule"
            )
        )
    return problems


def _commitments(value: Iterable[Commitment | Mapping[str, str]]) -> tuple[Commitment, ...]:
    return tuple(c if isinstance(c, Commitment) else Commitment(**c) for c in value)


def _date_text(value: object) -> object:
    return value.isoformat() if isinstance(value, _dt.date) else value


@attrs.frozen(kw_only=True)
class SeedRule:
    """Where the seed will come from, and when (see the module notes).

    Attributes:
        method: ``"text"`` or ``"contributions"``.
        source: ``"text"``: the text written at the head of the seed text, naming the
            public source (``"双色球 2024年第025期 开奖号码"``); ``"contributions"``: where and
            how the reveals will be published.
        date: The day the source gives its value (the lottery draw, the ceremony, the
            reveal deadline), ``YYYY-MM-DD``; it must be after the announcement.
        parties: ``"contributions"``: each party's commitment.
        missing: ``"contributions"``: ``"void"`` or ``"others"``.

    Examples:
        >>> rule = SeedRule(method="text", source="双色球 2024年第025期 开奖号码",
        ...                 date="2024-03-03")
        >>> rule.seed(value="05 11 16 23 28 31 + 09").source
        '双色球 2024年第025期 开奖号码 05 11 16 23 28 31 + 09'
    """

    method: str
    source: str
    date: str = attrs.field(converter=_date_text)
    parties: tuple[Commitment, ...] = attrs.field(default=(), converter=_commitments)
    missing: str | None = None

    def __attrs_post_init__(self) -> None:
        problems = _seed_rule_problems(self)
        if problems:
            raise ValidationError(problems, what="seed rule")

    def to_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {"method": self.method, "source": self.source, "date": self.date}
        if self.method == "contributions":
            record["parties"] = [c.to_record() for c in self.parties]
            record["missing"] = self.missing
        return record

    def reveal(self, reveals: Iterable[Reveal | Mapping[str, Any]]) -> RevealOutcome:
        """Match reveals with the commitments; the seed from those that match."""
        given = read_reveals(reveals)
        by_party = {c.party: c for c in self.parties}
        counts: dict[str, int] = {}
        for r in given:
            counts[r.party] = counts.get(r.party, 0) + 1
        duplicated = tuple(sorted(p for p, n in counts.items() if n > 1))
        unknown = tuple(sorted(p for p in counts if p not in by_party))
        used, refused, texts = [], [], []
        for r in given:
            if r.party in unknown or r.party in duplicated:
                continue
            if r.matches(by_party[r.party]):
                used.append(r.party)
                texts.append(r.text)
            else:
                refused.append(r.party)
        missing = tuple(c.party for c in self.parties if c.party not in counts)
        whole = not missing and not refused and not duplicated
        seed = None
        if texts and (whole or self.missing == "others"):
            seed = Seed.from_contributions(texts)
        return RevealOutcome(
            seed=seed,
            used=tuple(used),
            refused=tuple(refused),
            missing=missing,
            unknown=unknown,
            duplicated=duplicated,
        )

    def seed(
        self,
        *,
        value: str | None = None,
        reveals: Iterable[Reveal | Mapping[str, Any]] | None = None,
    ) -> Seed:
        """Make the seed by this rule: from the ``value`` the source gave (``"text"``), or
        from the ``reveals`` (``"contributions"``).

        Raises:
            ValidationError: the wrong input for the method; a reveal that does not match
                its commitment (naming the party), or from a party not announced; under
                ``"void"``, a missing reveal (naming the party).
        """
        if self.method == "text":
            if value is None or reveals is not None or not canonical_seed_text(value):
                raise ValidationError(
                    [Problem(field="value", message="a text seed rule needs the source's value")]
                )
            return Seed.from_text(f"{canonical_seed_text(self.source)} {value}")
        if reveals is None or value is not None:
            raise ValidationError(
                [Problem(field="reveals", message="a contributions seed rule needs the reveals")]
            )
        outcome = self.reveal(reveals)
        problems = outcome.problems()
        if outcome.seed is None:
            problems += [
                Problem(id=p, field="reveal", message="did not reveal: by the announced rule "
                        f"{self.missing!r} there is no seed")
                for p in outcome.missing
            ]  # fmt: skip
            if not problems:
                problems.append(Problem(field="reveals", message="no reveal matches"))
        if problems:
            raise ValidationError(problems, what="reveals")
        assert outcome.seed is not None
        return outcome.seed


# -- the announcement ----------------------------------------------------------------------

_POLICY = MapOf(object)
_SUBJECTS: dict[str, Any] = {
    "draw": Obj(
        required={
            "version": int,
            "stream": str,
            "registry_digest": str,
            "registry_size": int,
            "policy": _POLICY,
            "policy_digest": str,
            "frequency_history_digest": Nullable(str),
            "burden_history_digest": Nullable(str),
        }
    ),
    "plan": Obj(
        required={
            "version": int,
            "year": int,
            "plan_digest": str,
            "plan": MapOf(object),
            "registry_digest": str,
            "items_digest": str,
            "pool_digest": str,
            "calendar": str,
            "draws": ListOf(
                Obj(
                    required={
                        "task": str,
                        "batches": ListOf(str),
                        "stream": str,
                        "filter": Nullable(MapOf(object)),
                    }
                )
            ),
        }
    ),
    "assignment": Obj(required={"version": int, "stream": str, "inputs": MapOf(str)}),
}
_SEED_RULE = Obj(
    required={"method": str, "source": str, "date": str},
    optional={
        "parties": ListOf(Obj(required={"party": str, "commitment": str})),
        "missing": str,
    },
)
#: The shape of an announcement (what :meth:`Announcement.from_dict` accepts).
SHAPE = Obj(
    required={
        "format": str,
        "version": int,
        "kind": str,
        "date": str,
        "seed_rule": _SEED_RULE,
        "announcement_digest": str,
    },
    optional=_SUBJECTS,
)


@attrs.frozen(kw_only=True)
class Announcement:
    """A published announcement (deeply immutable; see the module notes).

    ``subject`` is what will be drawn, written under the key ``kind``: for a draw the
    draw version, stream, register digest and size, policy (with its filter ``where``
    and batch count ``batches``) and its digest, and the digests of the frequency and
    burden histories (``None`` when the draw uses none).

    Examples:
        >>> from randsupervise.model.targets import TargetRegistry
        >>> reg = TargetRegistry.from_columns(id=["a", "b", "c"], risk_class="AAB")
        >>> rule = SeedRule(method="text", source="dice at the 2024-03-01 ceremony",
        ...                 date="2024-03-01")
        >>> a = announce_draw(reg, stream="t1", ratios={"A": 0.5}, seed_rule=rule,
        ...                   date="2024-02-20")
        >>> Announcement.from_json(a.to_json()) == a, a.subject["policy"]["batches"]
        (True, 1)
    """

    kind: str
    date: str = attrs.field(converter=_date_text)
    subject: Mapping[str, Any] = attrs.field(converter=freeze)
    seed_rule: SeedRule
    announcement_digest: str = ""
    version: int = ANNOUNCEMENT_VERSION
    format: str = ANNOUNCEMENT_FORMAT

    def __attrs_post_init__(self) -> None:
        problems: list[Problem] = []
        if self.kind not in ANNOUNCEMENT_KINDS:
            problems.append(Problem(field="kind", message=f"one of {ANNOUNCEMENT_KINDS}"))
        _iso_date(self.date, "date", problems)
        if problems:
            raise ValidationError(problems, what="announcement")

    @classmethod
    def make(
        cls, *, kind: str, date: _dt.date | str, subject: Mapping[str, Any], seed_rule: SeedRule
    ) -> Announcement:
        """A sealed announcement (its digest computed), refusing a seed date on or before
        ``date`` (the seed must not exist when the announcement is published).

        Raises:
            ValidationError: a bad kind or date, or the seed dated on or before ``date``.
        """
        unsealed = cls(kind=kind, date=date, subject=subject, seed_rule=seed_rule)
        problems = [
            Problem(field=d.path, message=d.message) for d in timeline_differences(unsealed)
        ]
        if problems:
            raise ValidationError(problems, what="announcement")
        check_shape(unsealed.to_dict(), SHAPE, what="announcement")
        return attrs.evolve(unsealed, announcement_digest=unsealed.computed_digest())

    def to_dict(self) -> dict[str, Any]:
        """A fresh, editable JSON-able dict."""
        return {
            "format": self.format,
            "version": self.version,
            "kind": self.kind,
            "date": self.date,
            self.kind: thaw(self.subject),
            "seed_rule": self.seed_rule.to_record(),
            "announcement_digest": self.announcement_digest,
        }

    def body(self) -> dict[str, Any]:
        """Everything but ``announcement_digest`` (what the digest covers)."""
        d = self.to_dict()
        del d["announcement_digest"]
        return d

    def computed_digest(self) -> str:
        """SHA-256 of the RFC 8785 canonical JSON of :meth:`body`."""
        return digest(self.body())

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent, allow_nan=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Announcement:
        """Rebuild an announcement from its JSON form, strictly.

        A digest that does not match is not refused here: :func:`check_announcement`
        reports it, so a verifier sees a changed announcement as a difference.

        Raises:
            ValidationError: wrong shape, format, version or kind, a subject missing or
                another kind's subject present, a bad seed rule (each field named).
        """
        check_shape(data, SHAPE, what="announcement")
        problems: list[Problem] = []
        if data["format"] != ANNOUNCEMENT_FORMAT:
            problems.append(Problem(field="format", message=f"must be {ANNOUNCEMENT_FORMAT!r}"))
        if data["version"] != ANNOUNCEMENT_VERSION:
            problems.append(
                Problem(
                    field="version", message=f"this release reads version {ANNOUNCEMENT_VERSION}"
                )
            )
        kind = data["kind"]
        if kind not in ANNOUNCEMENT_KINDS:
            problems.append(Problem(field="kind", message=f"one of {ANNOUNCEMENT_KINDS}"))
        for k in ANNOUNCEMENT_KINDS:
            if (k in data) != (k == kind):
                what = "missing" if k == kind else "not expected in an announcement of kind"
                problems.append(Problem(field=k, message=f"{what} {kind!r}"))
        if problems:
            raise ValidationError(problems, what="announcement")
        rule = data["seed_rule"]
        try:
            seed_rule = SeedRule(
                method=rule["method"],
                source=rule["source"],
                date=rule["date"],
                parties=rule.get("parties", ()),
                missing=rule.get("missing"),
            )
        except ValidationError as e:
            raise ValidationError(
                [attrs.evolve(p, field=join_path("seed_rule", p.field or "")) for p in e.problems],
                what="announcement",
            ) from None
        return cls(
            kind=kind,
            date=data["date"],
            subject=data[kind],
            seed_rule=seed_rule,
            announcement_digest=data["announcement_digest"],
            version=int(data["version"]),
            format=data["format"],
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Announcement:
        """Parse JSON text strictly (duplicate keys, non-finite numbers, wrong types,
        unknown or missing fields are refused, naming the JSON path)."""
        return cls.from_dict(parse(text, what="announcement", max_depth=24))

    def seed(
        self,
        *,
        value: str | None = None,
        reveals: Iterable[Reveal | Mapping[str, Any]] | None = None,
    ) -> Seed:
        """The seed by the announced rule (:meth:`SeedRule.seed`)."""
        return self.seed_rule.seed(value=value, reveals=reveals)


def as_announcement(value: Announcement | Mapping[str, Any] | str | bytes) -> Announcement:
    """An :class:`Announcement` from itself, its dict form or its JSON text (strictly)."""
    if isinstance(value, Announcement):
        return value
    if isinstance(value, str | bytes):
        return Announcement.from_json(value)
    if isinstance(value, Mapping):
        return Announcement.from_dict(value)
    raise ValidationError(
        [
            Problem(
                field="announcement",
                message=f"expected an announcement, not {type(value).__name__}",
            )
        ]
    )


def announce_draw(
    registry: TargetRegistry,
    *,
    stream: str,
    seed_rule: SeedRule,
    date: _dt.date | str,
    history: Iterable[Any] | None = None,
    burden: Any = None,
    policy: Any = None,
    **policy_arguments: Any,
) -> Announcement:
    """The announcement of one draw: the register, stream, policy and seed rule, before
    the seed exists.

    Takes the policy as :func:`~randsupervise.draw.engine.draw` takes it (``policy=`` or
    the separate arguments ``ratios``, ``counts``, ``where``, ``batches``, ...), so the
    announced policy is the one the draw will record.

    Raises:
        ValidationError: a bad policy, history or seed rule; the seed dated on or before
            ``date``.
    """
    from randsupervise.draw.coordination import BurdenHistory
    from randsupervise.draw.engine import (
        _POLICY_ARGUMENTS,
        _policy_from_arguments,
        frequency_exclusions,
    )
    from randsupervise.draw.receipt import DRAW_VERSION

    unknown = sorted(set(policy_arguments) - set(_POLICY_ARGUMENTS))
    if unknown:
        raise ValidationError([Problem(field=k, message="not a draw option") for k in unknown])
    full = {**_POLICY_ARGUMENTS, **policy_arguments}
    the_policy = _policy_from_arguments(policy, **full)
    _, history_digest, _ = frequency_exclusions(registry, the_policy.limited_items, history)
    if burden is not None and not isinstance(burden, BurdenHistory):
        burden = BurdenHistory.from_periods(burden)
    record = the_policy.to_record()
    subject = {
        "version": DRAW_VERSION,
        "stream": stream,
        "registry_digest": registry.digest(),
        "registry_size": len(registry),
        "policy": record,
        "policy_digest": digest(record),
        "frequency_history_digest": history_digest,
        "burden_history_digest": None if burden is None else burden.digest(),
    }
    return Announcement.make(kind="draw", date=date, subject=subject, seed_rule=seed_rule)


# -- checking a receipt against an announcement ----------------------------------------------


def timeline_differences(announcement: Announcement) -> list[Difference]:
    """A difference when the seed's source is dated on or before the announcement.

    Only the order of the two written dates is checked: the library sees no clock.
    """
    a, s = announcement.date, announcement.seed_rule.date
    if s > a:  # ISO dates order as text
        return []
    return [
        Difference(
            path="announcement.seed_rule.date",
            message=f"the seed's source is dated {s}, not after the announcement ({a}): the "
            "seed could have been known when the announcement was made",
            receipt=s,
            recomputed=a,
        )
    ]


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
    diffs: list[Difference] = []
    notes: list[str] = []
    canon = canonical_seed_text(seed_source)
    if rule.method == "text":
        head = canonical_seed_text(rule.source)
        if not (canon.startswith(head + " ") and len(canon) > len(head) + 1):
            diffs.append(
                Difference(
                    path=prefix + "seed_source",
                    message=f"the seed text does not begin with the announced source {head!r} "
                    "followed by the value it gave",
                    receipt=seed_source,
                    recomputed=head,
                )
            )
        return diffs, notes
    texts = _contributions_of(seed_source)
    n_parties = len(rule.parties)
    if texts is None:
        diffs.append(
            Difference(
                path=prefix + "seed_source",
                message="the announced seed is made from sealed contributions; this seed is not",
                receipt=seed_source,
            )
        )
        return diffs, notes
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
        notes.append(
            "the reveals were not given: the contributions were not matched with the "
            "announced commitments (pass reveals=..., --reveals REVEALS.json)"
        )
        return diffs, notes
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
    for key, what in (
        ("version", "draw version"),
        ("stream", "stream"),
        ("registry_digest", "register (content digest)"),
        ("registry_size", "register size"),
    ):
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
