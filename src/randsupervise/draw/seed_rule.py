"""The seed rule of an announcement, and sealed contributions to a seed.

Invariants, and the rule each comes from (RFC 3797; ``docs/spec/announcement.md``):

* **Seed rules.** ``"text"``: the seed is :meth:`Seed.from_text` of the announced
  ``source`` text, one space, and the value the source gives (lottery digits, dice read at
  the ceremony). ``"contributions"``: each named party published a commitment
  (:func:`commitment_of`) before the announcement; the seed is
  :meth:`Seed.from_contributions` of the texts of the reveals that match their
  commitments (independent of their order). A reveal that does not match is refused,
  naming the party. ``missing`` says what a missing reveal does: ``"void"`` (no seed) or
  ``"others"`` (the seed is made from the other reveals).
* **Commitment**: ``SHA-256(b"randsupervise.commit.v1" + b"\\x00" + salt +
  UTF-8(canonical contribution text))``, the salt being exactly 32 bytes written as 64
  lower-case hex digits, the canonical text as :func:`canonical_seed_text` makes it.
* Seed rules, commitments and reveals are frozen values, validated when built, every
  problem named (architecture principles 2 and 6).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from randsupervise._core.strict_json import ListOf, Obj, check_shape, parse
from randsupervise.errors import Problem, ValidationError
from randsupervise.tickets.seed import Seed, canonical_seed_text

__all__ = [
    "COMMIT_PREFIX",
    "MISSING_RULES",
    "SEED_METHODS",
    "Commitment",
    "Reveal",
    "RevealOutcome",
    "SeedRule",
    "commitment_of",
    "read_reveals",
]

#: How the seed is made: from the public text a named source gives, or from sealed
#: contributions revealed after the announcement.
SEED_METHODS = ("text", "contributions")
#: What a missing reveal does: no seed at all, or a seed from the other reveals.
MISSING_RULES = ("void", "others")
COMMIT_PREFIX = b"randsupervise.commit.v1\x00"
_HEX64 = re.compile(r"[0-9a-f]{64}\Z")


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
        counts = Counter(r.party for r in given)
        # a reveal counts only from a named party that revealed once
        once = [r for r in given if counts[r.party] == 1 and r.party in by_party]
        matched = {r.party: r.matches(by_party[r.party]) for r in once}
        parties: dict[str, Any] = {
            "used": [r.party for r in once if matched[r.party]],
            "refused": [r.party for r in once if not matched[r.party]],
            "missing": [c.party for c in self.parties if c.party not in counts],
            "unknown": sorted(p for p in counts if p not in by_party),
            "duplicated": sorted(p for p, n in counts.items() if n > 1),
        }
        whole = not (parties["missing"] or parties["refused"] or parties["duplicated"])
        texts = [r.text for r in once if matched[r.party]]
        seed = None
        if texts and (whole or self.missing == "others"):
            seed = Seed.from_contributions(texts)
        return RevealOutcome(seed=seed, **{k: tuple(v) for k, v in parties.items()})

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
