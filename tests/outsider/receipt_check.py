"""A second, independent checker of draw receipts (version 2), standard library only.

Written from ``docs/spec/receipts.md`` (canonical JSON and the receipt digest),
``tickets.md`` (seeds, tickets, selection order, batch order), ``register.md`` (the
register digest) and ``allocation.md`` (sample sizes), without importing randsupervise or
numpy. It covers what a citizen's check needs for an equal-probability draw (method
``smallest``, stratified by risk class, no burden spreading): it returns the list of
JSON paths where the receipt is not what the register and the seed give.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from outsider import fp, register_digest, seed_from_text, ticket_of

# ------------------------------------------------------------------ receipts.md §2: JCS


def jcs_number(x: float | int) -> str:
    """ECMAScript Number::toString, as RFC 8785 §3.2.2.3 requires."""
    if isinstance(x, bool):
        raise ValueError("bool")
    if isinstance(x, int):
        return str(x)
    if not math.isfinite(x):
        raise ValueError("non-finite")
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    digits, exp = _digits(abs(x))
    k, n = len(digits), exp  # value = 0.digits * 10**n
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * -n + digits
    e = n - 1
    mant = digits[0] + ("." + digits[1:] if k > 1 else "")
    return f"{sign}{mant}e{'+' if e >= 0 else '-'}{abs(e)}"


def _digits(x: float) -> tuple[str, int]:
    """Shortest round-trip digits d1..dk and n with x = 0.d1..dk × 10^n.

    Python's ``repr`` of a float is the shortest string that reads back to it, and the
    nearest such when several have that length: the digits ECMAScript asks for.
    """
    mant, _, exp = repr(x).partition("e")
    whole, _, frac = mant.partition(".")
    digits = (whole + frac).lstrip("0")
    n = len(whole) + (int(exp) if exp else 0) - (len(whole + frac) - len(digits))
    return digits.rstrip("0"), n


def jcs(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, int | float):
        return jcs_number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ",".join(jcs(v) for v in value) + "]"
    keys = sorted(value, key=lambda k: k.encode("utf-16-be"))
    return (
        "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + jcs(value[k]) for k in keys) + "}"
    )


def receipt_digest(receipt: Mapping[str, Any]) -> str:
    body = {k: v for k, v in receipt.items() if k != "receipt_digest"}
    return hashlib.sha256(jcs(body).encode("utf-8")).hexdigest()


# ------------------------------------------------------------------------ the draw itself


def _size(ratio: float | None, count: int | None, n: int) -> int:
    if count is not None:
        want = count
    elif ratio is None:
        want = 0
    else:
        want = math.ceil(Fraction(repr(float(ratio))) * n)
    return min(want, n)


def _order(ids: Sequence[str], seed: bytes, stream: str) -> list[tuple[int, str]]:
    return sorted(((ticket_of(seed, stream, fp(u)), u) for u in ids),
                  key=lambda t: (t[0], t[1].encode("utf-8")))  # fmt: skip


def check_draw(receipt: Mapping[str, Any], columns: Mapping[str, Sequence[Any]]) -> list[str]:
    """The JSON paths at which a version-2 draw receipt disagrees with the register."""
    bad: list[str] = []
    if receipt.get("receipt_digest") != receipt_digest(receipt):
        bad.append("receipt_digest")
    if register_digest(columns) != receipt["registry_digest"]:
        bad.append("registry_digest")
    seed = seed_from_text(receipt["seed_source"])
    if seed.hex() != receipt["seed"]:
        bad.append("seed")
    policy = receipt["policy"]
    assert policy["method"] == "smallest" and policy["stratify"] == "risk_class"
    freq = receipt.get("frequency_limit") or {}
    excluded = set(freq.get("excluded", []))
    where = policy.get("where", {})
    n_rows = len(columns["id"])
    strata: dict[str, list[str]] = {}
    for row in range(n_rows):
        uid = columns["id"][row]
        if uid in excluded or any(columns[c][row] not in v for c, v in where.items()):
            continue
        strata.setdefault(str(columns["risk_class"][row]).upper(), []).append(uid)
    stream = receipt["stream"]
    selected_all: list[str] = []
    for label, rec in receipt["strata"].items():
        pop = strata.get(label, [])
        if rec["population"] != len(pop):
            bad.append(f"strata.{label}.population")
        ratio = policy["ratios"].get(label, policy.get("default_ratio"))
        n = _size(ratio, policy["counts"].get(label), len(pop))
        chosen = _order(pop, seed, stream)[:n]
        if rec["selected"] != [u for _, u in chosen]:
            bad.append(f"strata.{label}.selected")
        if rec["tickets"] != [f"{t:016x}" for t, _ in chosen]:
            bad.append(f"strata.{label}.tickets")
        selected_all += [u for _, u in chosen]
    k = policy["batches"]
    if k > 1:
        order = [u for _, u in _order(selected_all, seed, stream + "/batch-order")]
        size, extra = divmod(len(order), k)
        batches, start = [], 0
        for b in range(k):
            end = start + size + (1 if b < extra else 0)
            batches.append(order[start:end])
            start = end
        if receipt["batches"] != batches:
            bad.append("batches")
    return bad
