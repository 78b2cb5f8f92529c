"""A second, independent implementation of the digests and the assignment greedy.

Written from ``docs/spec/tickets.md``, ``register.md``, ``digests.md`` and
``assignment.md`` alone, with the Python standard library only: it imports nothing from
``randsupervise`` (a test checks that) and no numpy. ``tests/test_spec_vectors.py``
checks every vector of ``tests/vectors/digests_v1.json`` against it and against the
library; where they disagree, the specification is incomplete or one of them is wrong.

Inputs are plain JSON data (lists, dicts, strings, numbers), as in the vector file.
"""

from __future__ import annotations

import hashlib
import math
import struct
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

MASK = (1 << 64) - 1

# --------------------------------------------------------------------------- tickets.md


def fmix64(x: int) -> int:
    x &= MASK
    x ^= x >> 33
    x = (x * 0xFF51AFD7ED558CCD) & MASK
    x ^= x >> 33
    x = (x * 0xC4CEB9FE1A85EC53) & MASK
    return x ^ (x >> 33)


def _be64(b: bytes) -> int:
    return int.from_bytes(b[:8], "big")


def fp(unit_id: str) -> int:
    """Id fingerprint (tickets §2)."""
    return _be64(hashlib.sha256(b"randsupervise.id.v1\x00" + unit_id.encode("utf-8")).digest())


def seed_from_text(text: str) -> bytes:
    """Seed from public text (tickets §1): NFC, whitespace runs to one space, trimmed."""
    canonical = " ".join(unicodedata.normalize("NFC", text).split())
    if not canonical:
        raise ValueError("empty seed text")
    return hashlib.sha256(b"randsupervise.seed.v1\x00" + canonical.encode("utf-8")).digest()


def stream_key(seed: bytes, stream: str) -> tuple[int, int]:
    k = hashlib.sha256(b"randsupervise.stream.v1\x00" + seed + stream.encode("utf-8")).digest()
    return _be64(k[0:8]), _be64(k[8:16])


def ticket_of(seed: bytes, stream: str, x: int) -> int:
    """The ticket function applied to a 64-bit word (tickets §4)."""
    k0, k1 = stream_key(seed, stream)
    return fmix64(fmix64(x ^ k0) ^ k1)


# -------------------------------------------------------------------------- register.md

DIGEST_COLUMNS = ("id", "name", "kind", "region", "industry", "risk_class", "status", "weight")
DEFAULTS = {"kind": "enterprise", "region": "", "industry": "", "status": "active"}
RISK_LETTERS = ("A", "B", "C", "D")


def value_hash(column: str, value: str) -> int:
    """VH(column, value) (register §2)."""
    data = b"randsupervise.value.v1\x00" + column.encode("utf-8") + b"\x00" + value.encode("utf-8")
    return _be64(hashlib.sha256(data).digest())


def _risk_letter(v: Any) -> str:
    if isinstance(v, str) and v.strip().upper() in RISK_LETTERS:
        return v.strip().upper()
    if isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 3:
        return RISK_LETTERS[v]
    raise ValueError(f"not a risk class: {v!r}")


def _weight_bits(w: float | int) -> int:
    x = float(w) + 0.0  # -0.0 becomes 0.0 (register §3)
    bits: int = struct.unpack(">Q", struct.pack(">d", x))[0]
    return bits


def register_row_hashes(columns: Mapping[str, Sequence[Any] | None]) -> list[int]:
    """Row hashes in row order (register §3-§4); a ``None`` column is omitted."""
    ids = list(columns["id"])
    n = len(ids)
    names = columns.get("name")
    out = []
    for r in range(n):
        uid = ids[r]
        h = 0
        for col in DIGEST_COLUMNS:
            given = columns.get(col)
            if col == "id":
                word = fp(uid)
            elif col == "name":
                # names are stored without trailing NULs (register §7)
                name = uid if names is None else str(names[r]).rstrip("\x00")
                word = (
                    fmix64(fp(uid) ^ value_hash("name", ""))
                    if name == uid
                    else (value_hash("name", name))
                )
            elif col == "risk_class":
                assert given is not None
                word = value_hash("risk_class", _risk_letter(given[r]))
            elif col == "weight":
                w = 1.0 if given is None else given[r]
                word = fmix64(_weight_bits(w) ^ value_hash("weight", ""))
            else:
                value = DEFAULTS[col] if given is None else given[r]
                word = value_hash(col, value)
            h = fmix64(h ^ word)
        out.append(h)
    return out


def register_digest_from_row_hashes(parts: Iterable[Iterable[int]]) -> str:
    """Register digest from the row hashes of all parts (register §5)."""
    rows = sorted(h for part in parts for h in part)
    header = "randsupervise.registry.v1\n" + ",".join(DIGEST_COLUMNS) + "\n" + str(len(rows)) + "\n"
    data = header.encode("utf-8") + b"".join(h.to_bytes(8, "big") for h in rows)
    return hashlib.sha256(data).hexdigest()


def register_digest(columns: Mapping[str, Sequence[Any] | None]) -> str:
    return register_digest_from_row_hashes([register_row_hashes(columns)])


# ----------------------------------------------------------------- digests.md §1: JSON v1

_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n",
                  "\f": "\\f", "\r": "\\r"}  # fmt: skip


def _json_string(s: str) -> str:
    out = ['"']
    for ch in s:
        if ch in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[ch])
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _json_float(x: float) -> str:
    if not math.isfinite(x):
        raise ValueError("NaN and infinities have no canonical form")
    # the shortest round-trip digits, laid out as digests.md §1 says
    digits, exp = _shortest(x)
    sign = "-" if math.copysign(1.0, x) < 0 else ""
    if x == 0:
        return sign + "0.0"
    point = exp + len(digits)  # value = 0.digits × 10^point
    sci = point - 1  # exponent in d.ddd form
    if -4 <= sci < 16:
        if point <= 0:
            return sign + "0." + "0" * (-point) + digits
        if point >= len(digits):
            return sign + digits + "0" * (point - len(digits)) + ".0"
        return sign + digits[:point] + "." + digits[point:]
    mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{sign}{mant}e{'+' if sci >= 0 else '-'}{abs(sci):02d}"


def _shortest(x: float) -> tuple[str, int]:
    """(digits, exponent) of the shortest decimal reading back as ``abs(x)``."""
    for precision in range(1, 18):
        text = f"{abs(x):.{precision - 1}e}"
        if float(text) == abs(x):
            mant, _, e = text.partition("e")
            digits = mant.replace(".", "").rstrip("0") or "0"
            return digits, int(e) - len(digits) + 1
    raise AssertionError("17 significant digits always round-trip")


def canonical_json_v1(value: Any) -> str:
    """Canonical JSON form v1 (digests §1)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return _json_string(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _json_float(value)
    if isinstance(value, Mapping):
        keys = sorted(value)
        return (
            "{" + ",".join(_json_string(k) + ":" + canonical_json_v1(value[k]) for k in keys) + "}"
        )
    if isinstance(value, list | tuple):
        return "[" + ",".join(canonical_json_v1(v) for v in value) + "]"
    raise TypeError(f"{type(value).__name__} is not a JSON value")


def digest_v1(value: Any) -> str:
    return hashlib.sha256(canonical_json_v1(value).encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- digests.md §2-§3: histories


def burden_history_digest(periods: Sequence[tuple[str, Iterable[str]]]) -> str:
    """Burden history digest (digests §2): periods oldest first, each (label, ids)."""

    def lp(b: bytes) -> bytes:
        return len(b).to_bytes(8, "big") + b

    data = bytearray(b"randsupervise.burden-history.v1\x00")
    for label, ids in periods:
        encoded = sorted({i.encode("utf-8") for i in ids})
        data += lp(label.encode("utf-8")) + len(encoded).to_bytes(8, "big")
        for b in encoded:
            data += lp(b)
    return hashlib.sha256(bytes(data)).hexdigest()


def frequency_history(item: str, entries: Iterable[Sequence[Any]]) -> tuple[str, int]:
    """(history_digest, history_entries) of a frequency history (digests §3)."""
    totals: dict[str, int] = {}
    for unit, item_id, count in entries:
        if item_id == item:
            totals[unit] = totals.get(unit, 0) + count
    rows = [[u, item, totals[u]] for u in sorted(totals)]
    payload = {"format": "randsupervise.history", "version": 1, "entries": rows}
    return digest_v1(payload), len(rows)


def frequency_excluded(
    item: str, limit: int, entries: Iterable[Sequence[Any]], register_ids: Iterable[str]
) -> list[str]:
    """The ids a frequency limit leaves out: in the register, count >= limit, UTF-8 order."""
    totals: dict[str, int] = {}
    for unit, item_id, count in entries:
        if item_id == item:
            totals[unit] = totals.get(unit, 0) + count
    present = set(register_ids)
    out = [u for u, c in totals.items() if c >= limit and u in present]
    return sorted(out, key=lambda s: s.encode("utf-8"))


def excluded_ids_digest(ids: Iterable[str]) -> str:
    """Plan runs' ``history_digest``: the sorted excluded ids (digests §3)."""
    return digest_v1(sorted(ids))


# ---------------------------------------------------------- digests.md §4-§8: model inputs


def item_list_digest(max_key_items: int | None, items: Iterable[Mapping[str, Any]]) -> str:
    records = []
    for it in items:
        cap = it.get("ratio_cap")
        records.append(
            {
                "id": it["id"],
                "name": it["name"],
                "department": it["department"],
                "kind": it["kind"],
                "legal_basis": it["legal_basis"],
                "content": it["content"],
                "method": it["method"],
                "target_kinds": sorted(set(it["target_kinds"])),
                "required_qualifications": sorted(set(it.get("required_qualifications", []))),
                "ratio_cap": None if cap is None else float(cap),
                "yearly_frequency_limit": it.get("yearly_frequency_limit", 1),
                "description": it.get("description", ""),
            }
        )
    records.sort(key=lambda r: r["id"])
    return digest_v1(
        {
            "format": "randsupervise.item-list",
            "version": 1,
            "max_key_items": max_key_items,
            "items": records,
        }
    )


def inspector_record(p: Mapping[str, Any]) -> dict[str, Any]:
    cert = p.get("certificate_number")
    return {
        "id": p["id"],
        "name": p["name"],
        "department": p["department"],
        "certified": p["certified"],
        "certificate_number": cert if cert else None,
        "qualifications": sorted(set(p.get("qualifications", []))),
        "expertise": sorted(set(p.get("expertise", []))),
        "regions": sorted(set(p["regions"])),
        "available": p.get("available", True),
        "expert": p.get("expert", False),
    }


def pool_digest(inspectors: Iterable[Mapping[str, Any]]) -> str:
    records = sorted((inspector_record(p) for p in inspectors), key=lambda r: r["id"])
    return digest_v1(
        {"format": "randsupervise.inspector-pool", "version": 1, "inspectors": records}
    )


def visit_requests_digest(visits: Iterable[Mapping[str, Any]]) -> str:
    records = [
        {
            "id": v["id"],
            "target": v["target"],
            "region": v["region"],
            "departments": list(v["departments"]),
            "qualifications": sorted(set(v.get("qualifications", []))),
            "team_size": v.get("team_size", 2),
            "experts": v.get("experts", 0),
            "expert_tags": sorted(set(v.get("expert_tags", []))),
        }
        for v in visits
    ]
    records.sort(key=lambda r: r["id"])
    return digest_v1({"format": "randsupervise.visit-requests", "version": 1, "visits": records})


def pairs_digest(pairs: Iterable[Sequence[str]]) -> str:
    return digest_v1(sorted({(a, b) for a, b in pairs}))


def load_limits_digest(limits: int | Mapping[str, int] | None) -> str:
    return digest_v1({"load_limits": limits})


def region_rule_digest(serves_any: bool, allowed: Mapping[str, Iterable[str]]) -> str:
    return digest_v1(
        {"serves_any": serves_any, "allowed": {k: sorted(set(v)) for k, v in allowed.items()}}
    )


def _risk_map(v: Any, convert: Any) -> dict[str, Any]:
    if v is None:
        return {}
    if isinstance(v, int | float) and not isinstance(v, bool):
        return {c: convert(v) for c in RISK_LETTERS}
    return {_risk_letter(k): convert(x) for k, x in v.items()}


def _sorted_unique(v: str | Iterable[str]) -> list[str]:
    return [v] if isinstance(v, str) else sorted(set(v))


def plan_canonical(plan: Mapping[str, Any]) -> dict[str, Any]:
    tasks = []
    for t in plan["tasks"]:
        tf = t.get("target_filter")
        tasks.append(
            {
                "id": t["id"],
                "items": _sorted_unique(t["items"]),
                "lead_department": t["lead_department"],
                "partner_departments": _sorted_unique(t.get("partner_departments", [])),
                "target_filter": None
                if tf is None
                else {
                    k: v if isinstance(v, str) or not isinstance(v, list) else sorted(map(str, v))
                    for k, v in tf.items()
                },
                "ratios": _risk_map(t.get("ratios"), float),
                "counts": _risk_map(t.get("counts"), int),
                "batches": [
                    {"id": b["id"], "start": b["start"], "end": b["end"]} for b in t["batches"]
                ],
                "split": t.get("split", False),
                "stream": t.get("stream", t["id"]),
            }
        )
    return {
        "format": "randsupervise.plan",
        "version": 1,
        "year": plan["year"],
        "title": plan.get("title", ""),
        "tasks": tasks,
    }


def plan_digest(plan: Mapping[str, Any]) -> str:
    return digest_v1(plan_canonical(plan))


def plan_visits_digest(visits: Iterable[Mapping[str, Any]]) -> str:
    return digest_v1(
        [
            {
                "id": v["id"],
                "target": v["target_id"],
                "region": v["region"],
                "risk_class": _risk_letter(v["risk_class"]),
                "items": list(v["items"]),
                "departments": list(v["departments"]),
                "qualifications": sorted(set(v["qualifications"])),
                "start": v["start"],
                "end": v["end"],
                "tasks": list(v["tasks"]),
                "batches": list(v["batches"]),
            }
            for v in visits
        ]
    )


def teams_digest(teams: Mapping[str, Iterable[str]]) -> str:
    return digest_v1([[v, sorted(teams[v])] for v in sorted(teams)])


# ------------------------------------------------------------------------- assignment.md

PAIR_SALT = 0x9E3779B97F4A7C15
UNLIMITED = 1 << 40


def pair_ticket(seed: bytes, stream: str, visit_id: str, inspector_id: str) -> int:
    """Pair ticket (assignment §2)."""
    return ticket_of(seed, stream, fmix64(fp(visit_id) ^ fmix64(fp(inspector_id) ^ PAIR_SALT)))


def _mincover(v: int, present: set[int]) -> float:
    """Fewest values of ``present`` whose union contains ``v`` (assignment §4)."""
    if v == 0:
        return 0
    reach = {0}
    for depth in range(1, len(present) + 1):
        reach = {r | m for r in reach for m in present}
        if any(r & v == v for r in reach):
            return depth
    return math.inf


def _pick(
    cands: list[str], key: dict[str, int], masks: dict[str, int], u: int, s: int
) -> list[str] | None:
    """The places of one visit (assignment §4), or ``None`` if it cannot be staffed."""
    pos = {c: k for k, c in enumerate(cands)}
    avail = list(cands)
    chosen: list[str] = []
    if len(avail) < s:
        return None
    while s > 0:
        if u == 0:
            if len(avail) < s:
                return None
            best = sorted(avail, key=lambda c: (key[c], pos[c]))[:s]
            return chosen + best
        present = {masks[c] & u for c in avail}
        feasible = [
            c for c in avail if len(avail) >= s and _mincover(u & ~masks[c], present) <= s - 1
        ]
        if not feasible:
            return None
        j = min(feasible, key=lambda c: (key[c], pos[c]))
        chosen.append(j)
        avail.remove(j)
        u &= ~masks[j]
        s -= 1
    return chosen


def assign_greedy(
    seed: bytes,
    stream: str,
    visits: Sequence[Mapping[str, Any]],
    inspectors: Sequence[Mapping[str, Any]],
    *,
    conflicts: Iterable[Sequence[str]] = (),
    rotation: Iterable[Sequence[str]] = (),
    load_limits: int | Mapping[str, int] | None = None,
) -> list[dict[str, Any]] | None:
    """Teams by the greedy of assignment §3-§4 (default region rule), sorted by visit id;
    ``None`` when the greedy leaves a visit unstaffed (the exact fallback is not here)."""
    people = {p["id"]: p for p in inspectors}
    ids = sorted(people)
    forbidden = {(a, b) for a, b in conflicts} | {(a, b) for a, b in rotation}

    def limit(i: str) -> int:
        if load_limits is None:
            return UNLIMITED
        if isinstance(load_limits, int):
            return load_limits
        return load_limits.get(i, UNLIMITED)

    def tags(p: Mapping[str, Any]) -> set[str]:
        return set(p.get("qualifications", [])) | set(p.get("expertise", []))

    order = sorted(visits, key=lambda v: (ticket_of(seed, stream + "/order", fp(v["id"])), v["id"]))
    teams: dict[str, dict[str, list[str]]] = {
        v["id"]: {"officers": [], "experts": []} for v in visits
    }
    for role in ("officers", "experts"):
        load = dict.fromkeys(ids, 0)
        for v in order:
            s = v.get("team_size", 2) if role == "officers" else v.get("experts", 0)
            if s == 0:
                continue
            bits: list[tuple[str, str]] = []
            if role == "officers":
                if len(v["departments"]) >= 2:
                    bits += [("department", d) for d in sorted(v["departments"])]
                bits += [("qualification", q) for q in sorted(set(v.get("qualifications", [])))]
            cands = []
            for i in ids:
                p = people[i]
                if not p.get("available", True) or v["region"] not in p["regions"]:
                    continue
                if (i, v["target"]) in forbidden or load[i] >= limit(i):
                    continue
                if role == "officers":
                    ok = p["certified"] and not p.get("expert", False)
                    ok = ok and p["department"] in v["departments"]
                else:
                    ok = p.get("expert", False) and set(v.get("expert_tags", [])) <= tags(p)
                if ok:
                    cands.append(i)
            masks = {}
            for i in cands:
                m = 0
                for b, (kind, value) in enumerate(bits):
                    met = (
                        people[i]["department"] == value
                        if kind == "department"
                        else (value in tags(people[i]))
                    )
                    if met:
                        m |= 1 << b
                masks[i] = m
            stream_r = f"{stream}/{role}"
            key = {
                i: (load[i] << 40) | (pair_ticket(seed, stream_r, v["id"], i) >> 24) for i in cands
            }
            team = _pick(cands, key, masks, (1 << len(bits)) - 1, s)
            if team is None:
                return None
            for i in team:
                load[i] += 1
            teams[v["id"]][role] = sorted(team)
    return [
        {"visit": vid, "officers": teams[vid]["officers"], "experts": teams[vid]["experts"]}
        for vid in sorted(teams)
    ]
