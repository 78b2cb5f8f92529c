"""The announcement vectors (``tests/vectors/announcement_v1.json``) against the library
and against an implementation written from ``docs/spec/announcement.md`` with the
standard library only (below: nothing from randsupervise)."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from randsupervise._core.canonical import canonical_json
from randsupervise.draw import Announcement, Reveal, SeedRule, commitment_of

VECTORS = json.loads(
    (Path(__file__).parent / "vectors" / "announcement_v1.json").read_text(encoding="utf-8")
)


# -- the outsider: standard library only, from the spec --------------------------------


def o_canonical_text(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def o_seed_from_text(text: str) -> bytes:
    return hashlib.sha256(b"randsupervise.seed.v1\x00" + o_canonical_text(text).encode()).digest()


def o_seed_from_contributions(texts: list[str]) -> bytes:
    parts = sorted(o_seed_from_text(t) for t in texts)
    return hashlib.sha256(b"randsupervise.seeds.v1\x00" + b"".join(parts)).digest()


def o_commitment(text: str, salt_hex: str) -> str:
    data = b"randsupervise.commit.v1\x00" + bytes.fromhex(salt_hex)
    return hashlib.sha256(data + o_canonical_text(text).encode()).hexdigest()


def o_number(x: float | int) -> str:
    """ECMAScript Number.prototype.toString (RFC 8785 §3.2.2.3)."""
    if isinstance(x, int):
        return str(x)
    if x == 0:
        return "0"
    mantissa, _, exp = f"{abs(x):.16e}".partition("e")
    for digits in range(1, 18):  # the shortest digits that read back as x
        text = f"{abs(x):.{digits - 1}e}"
        if float(text) == abs(x):
            mantissa, _, exp = text.partition("e")
            break
    d = mantissa.replace(".", "").rstrip("0") or "0"
    k, n = len(d), int(exp) + 1
    if k <= n <= 21:
        s = d + "0" * (n - k)
    elif 0 < n <= 21:
        s = d[:n] + "." + d[n:]
    elif -6 < n <= 0:
        s = "0." + "0" * -n + d
    else:
        e = n - 1
        s = d[0] + ("." + d[1:] if k > 1 else "") + "e" + ("+" if e >= 0 else "-") + str(abs(e))
    return ("-" if x < 0 else "") + s


def o_jcs(v: Any) -> str:
    if v is None or isinstance(v, bool):
        return {None: "null", True: "true", False: "false"}[v]
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, int | float):
        return o_number(v)
    if isinstance(v, list):
        return "[" + ",".join(o_jcs(x) for x in v) + "]"
    keys = sorted(v, key=lambda k: k.encode("utf-16-be"))
    return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + o_jcs(v[k]) for k in keys) + "}"


def o_reveal(rule: dict[str, Any], reveals: list[dict[str, str]]) -> tuple[list[str], str | None]:
    """(parties whose reveal is used, the seed's hex or None) by spec §4."""
    committed = {p["party"]: p["commitment"] for p in rule["parties"]}
    names = [r["party"] for r in reveals]
    used = [
        r
        for r in reveals
        if names.count(r["party"]) == 1
        and committed.get(r["party"]) == o_commitment(r["text"], r["salt"])
    ]
    complete = len(used) == len(committed)
    if not used or (rule["missing"] == "void" and not complete):
        return [r["party"] for r in used], None
    return [r["party"] for r in used], o_seed_from_contributions([r["text"] for r in used]).hex()


# -- the checks -----------------------------------------------------------------------


@pytest.mark.parametrize("case", VECTORS["commitments"])
def test_commitment(case: dict[str, Any]) -> None:
    assert commitment_of(case["text"], case["salt"]) == case["commitment"]
    assert o_commitment(case["text"], case["salt"]) == case["commitment"]
    assert o_canonical_text(case["text"]) == case["canonical_text"]


@pytest.mark.parametrize("case", VECTORS["text_seeds"])
def test_text_seed(case: dict[str, Any]) -> None:
    rule = SeedRule(method="text", source=case["source"], date="2024-03-01")
    assert rule.seed(value=case["value"]).hex == case["seed"]
    text = o_canonical_text(case["source"]) + " " + case["value"]
    assert o_canonical_text(text) == case["seed_text"]
    assert o_seed_from_text(text).hex() == case["seed"]


@pytest.mark.parametrize("case", VECTORS["reveals"])
def test_reveals(case: dict[str, Any]) -> None:
    r = SeedRule(
        method="contributions",
        source=case["seed_rule"]["source"],
        date=case["seed_rule"]["date"],
        parties=case["seed_rule"]["parties"],
        missing=case["seed_rule"]["missing"],
    )
    outcome = r.reveal([Reveal(**x) for x in case["reveals"]])
    assert list(outcome.used) == case["used"]
    assert list(outcome.refused) == case["refused"]
    assert list(outcome.missing) == case["missing"]
    assert (None if outcome.seed is None else outcome.seed.hex) == case["seed"]
    used, seed = o_reveal(case["seed_rule"], case["reveals"])
    assert used == case["used"] and seed == case["seed"]


@pytest.mark.parametrize("case", VECTORS["announcements"])
def test_announcement(case: dict[str, Any]) -> None:
    a = Announcement.from_dict(case["announcement"])
    assert canonical_json(a.body()) == case["canonical"]
    assert a.computed_digest() == a.announcement_digest == case["announcement_digest"]
    body = {k: v for k, v in case["announcement"].items() if k != "announcement_digest"}
    assert o_jcs(body) == case["canonical"]
    assert hashlib.sha256(o_jcs(body).encode()).hexdigest() == case["announcement_digest"]
    subject = body[body["kind"]]
    if "policy" in subject:
        assert (
            hashlib.sha256(o_jcs(subject["policy"]).encode()).hexdigest()
            == subject["policy_digest"]
        )


@pytest.mark.parametrize(
    "x", [0.05, 0.1, 1.0, 1e-7, 1e21, 123456789012345680000.0, 5e-324, 0.3, 2.5, 1 / 3]
)
def test_the_outsider_numbers_are_the_library_numbers(x: float) -> None:
    assert o_number(x) == canonical_json(x)
