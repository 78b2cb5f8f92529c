"""Regenerate ``batches_v2.json``: batch-order vectors of draw versions 1 and 2.

Written from the pure-Python reference (``randsupervise.tickets.reference``), standard
library otherwise. Run ``python tests/vectors/generate_batches_v2.py`` only when the
vectors themselves are meant to change, which for versions 1 and 2 is never: the tests pin
the committed file against the library and the reference, so a diff here means the batch
order changed (a new draw version, see ``docs/stability.md``).

Each case gives the seed (its public text when it has one, and its hex), the draw's stream
label, the selected ids in selection order (``docs/spec/tickets.md`` §6), the number of
batches ``k``, every id's batch ticket under ``stream + "/batch-order"``, and the expected
batches under both versions.
"""

from __future__ import annotations

import json
import pathlib

from randsupervise.tickets.reference import (
    reference_batches,
    reference_seed_from_contributions,
    reference_seed_from_text,
    reference_select,
    reference_ticket,
)

IDS22 = [f"T-{k:04d}" for k in range(20)] + ["网吧-001", "😀"]
ODD_IDS = ["😀", "é", "e\u0301", "网吧-001", "a b", "ß" * 40, "91350100M000100Y43"]


def case(seed: bytes, stream: str, ids: list[str], k: int, **source: object) -> dict[str, object]:
    label = stream + "/batch-order"
    return {
        **source,
        "seed": seed.hex(),
        "stream": stream,
        "batch_stream": label,
        "ids": ids,
        "k": k,
        "batch_tickets": [f"{reference_ticket(seed, label, i):016x}" for i in ids],
        "batches": {
            "1": reference_batches(seed, stream, ids, k, version=1),
            "2": reference_batches(seed, stream, ids, k, version=2),
        },
    }


def main() -> None:
    dice = "dice: 3 6 1 2 5 5 4 1"
    sd = reference_seed_from_text(dice)
    parties = ["alpha", "beta", "gamma"]
    sp = reference_seed_from_contributions(parties)
    st = "2024/task-1"
    cases = [
        # the worked example of spec §8 (the five units of §9), two batches
        case(sd, st, reference_select(sd, st, IDS22, 5), 2, seed_text=dice),
        # a whole register of 22 drawn, three batches of 8, 7 and 7
        case(sd, st, reference_select(sd, st, IDS22, 22), 3, seed_text=dice),
        # the same units under another stream: another selection and batch order
        case(sd, "2024/G01", reference_select(sd, "2024/G01", IDS22, 10), 4, seed_text=dice),
        # one batch: the batch order still lists the ids by batch ticket
        case(
            sd, "专项检查·网吧", reference_select(sd, "专项检查·网吧", IDS22, 6), 1, seed_text=dice
        ),
        # more batches than units: trailing batches are empty
        case(sp, "🎲", reference_select(sp, "🎲", ODD_IDS, 4), 6, seed_contributions=parties),
        # ids that differ only in Unicode normalisation, emoji, spaces; seven batches of one
        case(
            sp,
            "2024/G01/batch-2",
            reference_select(sp, "2024/G01/batch-2", ODD_IDS, 7),
            7,
            seed_contributions=parties,
        ),
        # nothing selected
        case(sd, st, [], 3, seed_text=dice),
        # one unit
        case(sd, st, ["T-0001"], 2, seed_text=dice),
    ]
    out = {
        "spec": "randsupervise-draw batch order",
        "versions": [1, 2],
        "ticket_version": 1,
        "cases": cases,
    }
    path = pathlib.Path(__file__).with_name("batches_v2.json")
    path.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
