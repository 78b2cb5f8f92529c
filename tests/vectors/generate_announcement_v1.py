"""Regenerate ``announcement_v1.json``: vectors of announcements (version 1), of the
commitment to a sealed contribution, and of seeds made by the two seed rules.

Written with the library (``randsupervise.draw.announcement``). Run
``python tests/vectors/generate_announcement_v1.py`` only when the vectors themselves are
meant to change, which for version 1 is never: ``tests/test_announcement_vectors.py``
pins the committed file against the library and against a standard-library-only
implementation written from ``docs/spec/announcement.md``, so a diff here means the
format changed (a new announcement version).
"""

from __future__ import annotations

import json
import pathlib
from typing import Any

from randsupervise._core.canonical import canonical_json
from randsupervise.assign import AssignmentProblem, VisitRequest, announce_assignment
from randsupervise.draw import ItemRule, Reveal, SeedRule, announce_draw, commitment_of
from randsupervise.model import TargetRegistry
from randsupervise.model.sample import sample_inspectors

SALTS = ["00" * 32, "ff" * 32, bytes(range(32)).hex(), "5a" * 16 + "a5" * 16]
TEXTS = ["3 1 4 1 5", "  纪检组:\t2 7 1 8  ", "e\u0301 😀 chamber 0 0 7", "局 4\u30004 1 7"]
PARTIES = ["县市场监管局", "县纪委监委驻局纪检组", "县工商联 (chamber)", "公证处"]


def commitment_case(text: str, salt: str) -> dict[str, Any]:
    from randsupervise.tickets.seed import canonical_seed_text

    return {
        "text": text,
        "salt": salt,
        "canonical_text": canonical_seed_text(text),
        "commitment": commitment_of(text, salt),
    }


def rule(missing: str, n: int = 3) -> SeedRule:
    return SeedRule(
        method="contributions",
        source="公证处网站 2024-03-01 公布揭示值 (reveals published on 2024-03-01)",
        date="2024-03-01",
        parties=[
            {"party": PARTIES[i], "commitment": commitment_of(TEXTS[i], SALTS[i])} for i in range(n)
        ],
        missing=missing,
    )


def reveal_case(r: SeedRule, order: list[int], forged: int | None = None) -> dict[str, Any]:
    reveals = [
        Reveal(party=PARTIES[i], salt=SALTS[i], text=TEXTS[i] + (" x" if i == forged else ""))
        for i in order
    ]
    outcome = r.reveal(reveals)
    return {
        "seed_rule": r.to_record(),
        "reveals": [x.to_record() for x in reveals],
        "used": list(outcome.used),
        "refused": list(outcome.refused),
        "missing": list(outcome.missing),
        "seed": None if outcome.seed is None else outcome.seed.hex,
        "seed_source": None if outcome.seed is None else outcome.seed.source,
    }


def announcement_case(a: Any) -> dict[str, Any]:
    return {
        "announcement": a.to_dict(),
        "canonical": canonical_json(a.body()),
        "announcement_digest": a.announcement_digest,
    }


def main() -> None:
    reg = TargetRegistry.from_columns(
        id=["91350100M000100Y43", "网吧-001", "😀", "T-0003"], risk_class="ABCD"
    )
    dice = SeedRule(method="text", source="县公证处 2024-03-01 摇号 dice", date="2024-03-01")
    text_seeds = []
    for value in ("3 6 1 2 5 5 4 1", " 05 11 16\n23 28 31 + 09 "):
        s = dice.seed(value=value)
        text_seeds.append({"source": dice.source, "value": value, "seed_text": s.source,
                           "seed": s.hex})  # fmt: skip
    draw_text = announce_draw(
        reg, stream="2024/G01", seed_rule=dice, date="2024-02-20",
        ratios={"A": 0.05, "B": 0.1, "C": 0.3, "D": 1.0}, batches=2, where={"region": ["东城镇"]},
    )  # fmt: skip
    draw_sealed = announce_draw(
        reg, stream="2024/网吧/H1", seed_rule=rule("others"), date="2024-02-20",
        counts={"A": 1}, item=ItemRule(id="K01", yearly_frequency_limit=1),
        history=[("网吧-001", "K01", 1)],
    )  # fmt: skip
    visits = [VisitRequest(id="V1", target="网吧-001", region="东城镇",
                           departments=["文化市场综合行政执法大队"])]  # fmt: skip
    problem = AssignmentProblem(visits=visits, pool=sample_inspectors())
    assignment = announce_assignment(problem, stream="2024/teams", seed_rule=dice,
                                     date="2024-02-28")  # fmt: skip
    out = {
        "description": "randsupervise announcements, version 1: docs/spec/announcement.md",
        "commit_prefix": "randsupervise.commit.v1",
        "commitments": [commitment_case(t, s) for t, s in zip(TEXTS, SALTS, strict=True)],
        "text_seeds": text_seeds,
        "reveals": [
            reveal_case(rule("void"), [0, 1, 2]),
            reveal_case(rule("void"), [2, 0, 1]),
            reveal_case(rule("void"), [0, 1]),
            reveal_case(rule("others"), [1, 0]),
            reveal_case(rule("others"), [0, 1, 2], forged=2),
            reveal_case(rule("void", 1), [0]),
        ],
        "announcements": [
            announcement_case(draw_text),
            announcement_case(draw_sealed),
            announcement_case(assignment),
        ],
    }
    path = pathlib.Path(__file__).with_name("announcement_v1.json")
    path.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
