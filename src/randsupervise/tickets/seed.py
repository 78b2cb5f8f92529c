"""Seeds: the public entropy every draw starts from.

Invariants (ticket spec v1, ``docs/spec/tickets.md``):

* A seed is 32 bytes. It is made from public text (digits read from dice at a public
  ceremony, a lottery result, a value published after the registers were frozen) or from
  several parties' contributions, never from the clock or the operating system.
* Canonical text: Unicode NFC, every run of whitespace replaced by one space, leading and
  trailing whitespace removed. ``Seed.from_text("3 1 4\\n1 5")`` and
  ``Seed.from_text(" 3 1 4 1 5 ")`` are the same seed; ``"31415"`` is another.
* ``from_text``: ``SHA-256(b"randsupervise.seed.v1\\x00" + UTF-8(canonical text))``.
* ``source`` records where the bytes came from, so that anyone can recompute them
  (:meth:`Seed.from_source`).
* ``from_contributions``: each contribution is hashed as by ``from_text``; the seed is
  ``SHA-256(b"randsupervise.seeds.v1\\x00" + the contributions' 32-byte hashes sorted
  bytewise and concatenated)``, so the order in which parties hand in does not matter
  and no party can steer the result without knowing the others' texts in advance.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterable

import attrs

from randsupervise._core.validation import check_label, has_utf8
from randsupervise.errors import Problem, ValidationError

__all__ = ["Seed", "as_seed", "canonical_seed_text"]

_TEXT_PREFIX = b"randsupervise.seed.v1\x00"
_MULTI_PREFIX = b"randsupervise.seeds.v1\x00"
_CONTRIB_TAG = "contributions: "
_HEX_TAG = "hex:"


def canonical_seed_text(text: str) -> str:
    """Canonical form of a seed text: NFC, whitespace runs collapsed, ends trimmed.

    Examples:
        >>> canonical_seed_text("  2024 年\\t第一批  ")
        '2024 年 第一批'
    """
    return " ".join(unicodedata.normalize("NFC", text).split())


def _check_bytes(instance: Seed, attribute: attrs.Attribute[bytes], value: bytes) -> None:
    if not isinstance(value, bytes) or len(value) != 32:
        raise ValidationError([Problem(field="value", message="a seed is exactly 32 bytes")])


@attrs.frozen(kw_only=True)
class Seed:
    """32 bytes of public entropy, with a note of where they came from.

    Examples:
        >>> s = Seed.from_text("dice: 3 6 1 2 5 5 4 1")
        >>> len(s.hex)
        64
        >>> Seed.from_hex(s.hex) == s
        True
        >>> Seed.from_contributions(["alpha", "beta"]) == Seed.from_contributions(["beta", "alpha"])
        True
    """

    value: bytes = attrs.field(validator=_check_bytes, repr=False)
    source: str = attrs.field(default="", eq=False)

    @property
    def hex(self) -> str:
        """The seed's 64 lower-case hex digits: its canonical written form."""
        return self.value.hex()

    def __repr__(self) -> str:
        return f"Seed({self.hex[:16]}…, source={self.source!r})"

    @classmethod
    def from_text(cls, text: str) -> Seed:
        """A seed from public text; see the module notes for the canonical form."""
        if not isinstance(text, str):
            raise ValidationError([Problem(field="text", message="seed text must be a str")])
        check_label(text, "text", what="seed")
        canon = canonical_seed_text(text)
        if not canon:
            raise ValidationError([Problem(field="text", message="seed text is empty")])
        digest = hashlib.sha256(_TEXT_PREFIX + canon.encode("utf-8")).digest()
        return cls(value=digest, source=canon)

    @classmethod
    def from_contributions(cls, contributions: Iterable[str]) -> Seed:
        """A seed from several parties' texts, independent of their order."""
        if isinstance(contributions, str | bytes) or not isinstance(contributions, Iterable):
            raise ValidationError(
                [Problem(field="contributions", message="expected a list of texts, one per "
                         f"party, not {type(contributions).__name__}")],
                what="seed contributions",
            )  # fmt: skip
        texts = list(contributions)
        problems = [
            Problem(row=i, field="contribution", message="empty or not a str")
            for i, t in enumerate(texts)
            if not isinstance(t, str) or not canonical_seed_text(t) or not has_utf8(t)
        ]
        if not texts:
            problems.append(Problem(field="contributions", message="no contributions"))
        if problems:
            raise ValidationError(problems, what="seed contributions")
        parts = sorted(cls.from_text(t).value for t in texts)
        digest = hashlib.sha256(_MULTI_PREFIX + b"".join(parts)).digest()
        canon = sorted(canonical_seed_text(t) for t in texts)
        return cls(value=digest, source=_CONTRIB_TAG + json.dumps(canon, ensure_ascii=False))

    @classmethod
    def from_hex(cls, text: str) -> Seed:
        """Rebuild a seed from its 64 hex digits (as written in a receipt)."""
        try:
            value = bytes.fromhex(text)
        except (ValueError, TypeError):
            value = b""
        if len(value) != 32:
            raise ValidationError([Problem(field="seed", message=f"not 64 hex digits: {text!r}")])
        return cls(value=value, source=f"{_HEX_TAG}{text.lower()}")

    @classmethod
    def from_source(cls, source: str) -> Seed:
        """Rebuild a seed from its :attr:`source` note, as a verifier does.

        The note is the canonical text for :meth:`from_text`, ``"contributions: "``
        followed by a JSON list of the canonical texts for :meth:`from_contributions`,
        or ``"hex:"`` and the digits for :meth:`from_hex`.

        Examples:
            >>> s = Seed.from_contributions(["甲 | 乙", "丙"])
            >>> Seed.from_source(s.source) == s
            True
        """
        if source.startswith(_CONTRIB_TAG):
            try:
                texts = json.loads(source[len(_CONTRIB_TAG) :])
            except ValueError:
                texts = None
            if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
                raise ValidationError(
                    [
                        Problem(
                            field="seed_source", message="contributions are not a JSON list of str"
                        )
                    ]
                )
            return cls.from_contributions(texts)
        if source.startswith(_HEX_TAG):
            return cls.from_hex(source[len(_HEX_TAG) :])
        return cls.from_text(source)


def as_seed(seed: Seed | str) -> Seed:
    """``seed``, or public text turned into a seed (:meth:`Seed.from_text`): what
    :func:`~randsupervise.draw.engine.draw`, ``draw_dask`` and ``assign`` accept."""
    if isinstance(seed, str):
        return Seed.from_text(seed)
    if not isinstance(seed, Seed):
        raise ValidationError([Problem(field="seed", message="expected a Seed or a str")])
    return seed
