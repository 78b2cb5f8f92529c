"""The announcement document: what will be drawn and the seed's rule, sealed by a digest.

Invariants, and the rule each comes from (RFC 3797; ``docs/spec/announcement.md``):

* An announcement is a JSON object: ``format`` = :data:`ANNOUNCEMENT_FORMAT`, ``version``,
  ``kind`` (``"draw"``, ``"plan"`` or ``"assignment"``), ``date`` (ISO 8601, the day it is
  published), the subject under the key named by ``kind``, the ``seed_rule``, and
  ``announcement_digest``: the SHA-256 of the RFC 8785 canonical JSON of every other
  member (architecture principle 4, one digest rule). It is deeply immutable and parsed
  strictly (:meth:`Announcement.from_json`).
* **Timeline**: the seed rule's ``date`` must be after the announcement's ``date``
  (:func:`timeline_differences`; an announcement is not made otherwise). The library sees
  no clock: it checks the order of the two dates as written.
* A draw's announcement takes the policy as the draw takes it (:func:`announce_draw`), so
  the announced policy is the one the draw will record (architecture principle 8).
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from randsupervise._core.canonical import digest
from randsupervise._core.frozen import freeze, thaw
from randsupervise._core.report import Difference
from randsupervise._core.strict_json import (
    ListOf,
    MapOf,
    Nullable,
    Obj,
    as_document,
    check_shape,
    join_path,
    parse,
)
from randsupervise.draw.seed_rule import Reveal, SeedRule, _date_text, _iso_date
from randsupervise.errors import Problem, ValidationError
from randsupervise.tickets.seed import Seed

if TYPE_CHECKING:
    from randsupervise.model.targets import TargetRegistry

__all__ = [
    "ANNOUNCEMENT_FORMAT",
    "ANNOUNCEMENT_KINDS",
    "ANNOUNCEMENT_VERSION",
    "PLAN_INPUTS_SHAPE",
    "SHAPE",
    "Announcement",
    "announce_draw",
    "as_announcement",
    "plan_draws_shape",
    "timeline_differences",
]

ANNOUNCEMENT_FORMAT = "randsupervise.announcement"
ANNOUNCEMENT_VERSION = 1
ANNOUNCEMENT_KINDS = ("draw", "plan", "assignment")

#: What binds a year, announced before its seed and recorded in its plan receipt alike:
#: the plan, its digest and the digests of the register, items, pool and calendar.
PLAN_INPUTS_SHAPE: Mapping[str, Any] = {
    "plan_digest": str,
    "plan": MapOf(object),
    "registry_digest": str,
    "items_digest": str,
    "pool_digest": str,
    "calendar": str,
}


def plan_draws_shape(**more: Any) -> ListOf:
    """The shape of a plan's draws, each with its ``task``, ``batches``, ``stream`` and
    the members ``more`` (a plan announcement adds the ``filter``, a plan receipt what the
    draw found).

    Examples:
        >>> draws = [{"task": "t", "batches": ["b1"], "stream": "s", "n": "2"}]
        >>> check_shape(draws, plan_draws_shape(n=int), what="plan")
        Traceback (most recent call last):
        ...
        randsupervise.errors.ValidationError: plan: ...
    """
    return ListOf(Obj(required={"task": str, "batches": ListOf(str), "stream": str, **more}))


#: The receipt members a draw announces, as its receipt will record them: key -> (shape,
#: what the key names); :mod:`.announcement_checks` compares each with the receipt.
_RECEIPT_MEMBERS_ANNOUNCED: Mapping[str, tuple[Any, str]] = {
    "version": (int, "draw version"),
    "stream": (str, "stream"),
    "registry_digest": (str, "register (content digest)"),
    "registry_size": (int, "register size"),
}
_DRAW = {key: shape for key, (shape, _) in _RECEIPT_MEMBERS_ANNOUNCED.items()}
_HISTORY_DIGESTS = dict.fromkeys(
    ("frequency_history_digest", "burden_history_digest"), Nullable(str)
)
_SUBJECTS: dict[str, Any] = {
    "draw": Obj(
        required={**_DRAW, "policy": MapOf(object), "policy_digest": str, **_HISTORY_DIGESTS}
    ),
    "plan": Obj(
        required={
            "version": int,
            "year": int,
            **PLAN_INPUTS_SHAPE,
            "draws": plan_draws_shape(filter=Nullable(MapOf(object))),
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
        head = {k: getattr(self, k) for k in ("format", "version", "kind", "date")}
        subject = {self.kind: thaw(self.subject), "seed_rule": self.seed_rule.to_record()}
        return {**head, **subject, "announcement_digest": self.announcement_digest}

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
    return as_document(value, Announcement, field="announcement", noun="an announcement")


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
    from randsupervise.draw.frequency import frequency_exclusions
    from randsupervise.draw.policy import policy_of
    from randsupervise.draw.receipt import DRAW_VERSION

    the_policy = policy_of(policy, **policy_arguments)
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
