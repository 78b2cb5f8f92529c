"""Regenerate ``tickets_v1.json`` from the pure-Python reference implementation.

Run ``python tests/vectors/generate_tickets_v1.py`` only when the vectors themselves are
meant to change, which for version 1 is never: the tests pin the committed file against
both implementations, so a diff here means the ticket function changed.
"""

from __future__ import annotations

import hashlib
import json
import pathlib

from randsupervise.tickets.reference import (
    _fmix,
    reference_seed_from_contributions,
    reference_seed_from_text,
    reference_select,
    reference_ticket,
    reference_uniform,
)

SEED_TEXTS = ["dice: 3 6 1 2 5 5 4 1", "  2024 年\t第一批  抽查 ", "31415"]
CONTRIBUTIONS = [
    ["alpha", "beta", "gamma"],
    ["gamma", "alpha", "beta"],
    ["县市场监管局 2024-03-01"],
]
STREAMS = ["2024/task-1", "2024/G01/batch-2", "专项检查·网吧", "🎲"]
IDS = [
    "T-0001",
    "91350100M000100Y43",
    "网吧-001",
    "😀",
    "é",  # NFC, one code point
    "e\u0301",  # NFD: another id (ids are opaque, never normalised)
    "",  # not allowed in registers, but a valid ticket input
    "a b",
    "ß" * 40,
]


def fp(unit_id: str) -> int:
    d = hashlib.sha256(b"randsupervise.id.v1\x00" + unit_id.encode("utf-8")).digest()
    return int.from_bytes(d[:8], "big")


def key(seed: bytes, stream: str) -> tuple[int, int]:
    d = hashlib.sha256(b"randsupervise.stream.v1\x00" + seed + stream.encode("utf-8")).digest()
    return int.from_bytes(d[0:8], "big"), int.from_bytes(d[8:16], "big")


def main() -> None:
    seeds = []
    for t in SEED_TEXTS:
        seeds.append(
            {"text": t, "canonical": " ".join(t.split()), "hex": reference_seed_from_text(t).hex()}
        )
    for c in CONTRIBUTIONS:
        seeds.append({"contributions": c, "hex": reference_seed_from_contributions(c).hex()})
    fps = [
        {
            "id": i,
            "utf8_hex": i.encode("utf-8").hex(),
            "fingerprint": str(fp(i)),
            "fingerprint_hex": f"{fp(i):016x}",
        }
        for i in IDS
    ]
    seed_bytes = [bytes.fromhex(s["hex"]) for s in seeds[:1] + seeds[3:4]]
    keys, tickets = [], []
    for sb in seed_bytes:
        for st in STREAMS:
            k0, k1 = key(sb, st)
            keys.append({"seed": sb.hex(), "stream": st, "k0": f"{k0:016x}", "k1": f"{k1:016x}"})
            for i in IDS:
                t = reference_ticket(sb, st, i)
                u = reference_uniform(t)
                tickets.append(
                    {
                        "seed": sb.hex(),
                        "stream": st,
                        "id": i,
                        "ticket": str(t),
                        "ticket_hex": f"{t:016x}",
                        "uniform": repr(u),
                        "uniform_hex": u.hex(),
                    }
                )
    # one ticket step by step
    sb, st, i = seed_bytes[0], STREAMS[0], IDS[0]
    k0, k1 = key(sb, st)
    x1 = fp(i) ^ k0
    m1 = _fmix(x1)
    x2 = m1 ^ k1
    m2 = _fmix(x2)
    steps = {
        "seed": sb.hex(),
        "stream": st,
        "id": i,
        "fingerprint": f"{fp(i):016x}",
        "k0": f"{k0:016x}",
        "k1": f"{k1:016x}",
        "f_xor_k0": f"{x1:016x}",
        "fmix1": f"{m1:016x}",
        "xor_k1": f"{x2:016x}",
        "ticket": f"{m2:016x}",
    }
    ids20 = [f"T-{k:04d}" for k in range(20)] + ["网吧-001", "😀"]
    selections = []
    for n in (0, 1, 5, 22):
        selections.append(
            {
                "seed": sb.hex(),
                "stream": st,
                "ids": ids20,
                "n": n,
                "selected": reference_select(sb, st, ids20, n),
            }
        )
    out = {
        "spec": "randsupervise-ticket",
        "version": 1,
        "seeds": seeds,
        "fingerprints": fps,
        "stream_keys": keys,
        "steps": steps,
        "tickets": tickets,
        "selections": selections,
    }
    path = pathlib.Path(__file__).with_name("tickets_v1.json")
    path.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
