"""The digest of a list of visit requests, as an assignment receipt records it.

Invariants: the digest is the SHA-256 of the canonical JSON (form ``v1``) of
``{"format": "randsupervise.visit-requests", "version": 1, "visits": [...]}``, the
requests' records (:meth:`~randsupervise.assign.requests.VisitRequest.to_record`) sorted
by id, so input order does not matter (``docs/spec/digests.md``). The text is written
directly, byte for byte that rule's: what visits that differ only in id and target share
is written once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from json.encoder import encode_basestring
from typing import Any

from randsupervise._core.canonical import canonical_json
from randsupervise.assign.requests import VisitRequest

__all__ = ["visits_digest"]

# a JSON string literal with non-ASCII kept, as canonical JSON writes it
_encode_str = encode_basestring


def visits_digest(visits: Iterable[VisitRequest]) -> str:
    """SHA-256 of the canonical JSON of the requests sorted by id (input order is irrelevant).

    The canonical text is written out directly (byte for byte what
    ``sha256_hex({"format": ..., "version": 1, "visits": [to_record(), ...]})`` gives),
    since a dict per visit costs more than the hashing itself.

    Examples:
        >>> a = VisitRequest(id="A", target="T", region="r", departments=["d"])
        >>> b = VisitRequest(id="B", target="T", region="r", departments=["d"])
        >>> visits_digest([a, b]) == visits_digest([b, a])
        True
        >>> from randsupervise._core.canonical import sha256_hex
        >>> visits_digest([a, b]) == sha256_hex({"format": "randsupervise.visit-requests",
        ...     "version": 1, "visits": [a.to_record(), b.to_record()]})
        True
    """
    enc = _encode_str
    # the text around id and target repeats across visits: cached per distinct rest
    pieces: dict[tuple[Any, ...], tuple[str, str, str]] = {}
    # the same for the other visits, keyed by every field but id and target
    shapes: dict[tuple[Any, ...], tuple[str, str, str] | None] = {}

    def sorted_list(values: Iterable[str]) -> str:
        return "[" + ",".join(enc(x) for x in values) + "]"

    parts = []
    for v in sorted(visits, key=_by_id):
        if v.per_department or v.leader or v.date or v.period or v.qualification_counts:
            key = (v.region, v.departments, v.qualifications, v.joint_rule, v.sub_teams,
                   v.department_qualifications, v.team_size, v.qualification_counts,
                   v.experts, v.expert_tags, v.leader, v.date, v.period)  # fmt: skip
            if key not in shapes:
                shapes[key] = _around_id_and_target(v)
            around = shapes[key]
            parts.append(
                canonical_json(v.to_record(), "v1")
                if around is None
                else around[0] + enc(v.id) + around[1] + enc(v.target) + around[2]
            )
            continue
        rest = (v.departments, v.expert_tags, v.experts, v.qualifications, v.region, v.team_size)
        hit = pieces.get(rest)
        if hit is None:
            hit = (
                f'{{"departments":{sorted_list(v.departments)},'
                f'"expert_tags":{sorted_list(sorted(v.expert_tags))},'
                f'"experts":{int(v.experts)},"id":',
                f',"qualifications":{sorted_list(sorted(v.qualifications))},'
                f'"region":{enc(v.region)},"target":',
                f',"team_size":{int(v.team_size)}}}',
            )
            pieces[rest] = hit
        parts.append(hit[0] + enc(v.id) + hit[1] + enc(v.target) + hit[2])
    text = (
        '{"format":"randsupervise.visit-requests","version":1,"visits":[' + ",".join(parts) + "]}"
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


#: Stand-ins for a visit's id and target in the text of a record (their JSON text must
#: occur once in it, else the record is written whole).
_ID, _TARGET = _encode_str("\x00id\x00"), _encode_str("\x00target\x00")


def _around_id_and_target(v: VisitRequest) -> tuple[str, str, str] | None:
    """The canonical text of ``v.to_record()`` before its id, between its id and its
    target, and after its target (the same for every visit that differs from ``v`` only
    in them); ``None`` when a stand-in occurs elsewhere in the text."""
    record = v.to_record()
    record["id"], record["target"] = json.loads(_ID), json.loads(_TARGET)
    text = canonical_json(record, "v1")
    if text.count(_ID) != 1 or text.count(_TARGET) != 1:
        return None
    head, rest = text.split(_ID)
    middle, tail = rest.split(_TARGET)  # "id" sorts before "target"
    return head, middle, tail


def _by_id(v: VisitRequest) -> str:
    return v.id
