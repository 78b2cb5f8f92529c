"""Announcements: the two ways to steer a verifiable draw, and how an announcement stops them.

Each attack below verifies without an announcement (the receipt recomputes) and fails
against the announcement made before the seed existed, naming the field.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from randsupervise._core.canonical import digest
from randsupervise.draw import (
    Announcement,
    Reveal,
    Seed,
    SeedRule,
    announce_draw,
    check_announcement,
    commitment_of,
    draw,
    verify,
)
from randsupervise.errors import ValidationError
from randsupervise.model import TargetRegistry
from randsupervise.receipts import verify as verify_any

IDS = [f"F{i:03d}" for i in range(60)]
REG = TargetRegistry.from_columns(id=IDS, risk_class=["A", "B", "C"] * 20)
OPTIONS: dict[str, Any] = {"ratios": {"A": 0.25, "B": 0.1, "C": 0.5}, "batches": 2}
STREAM = "2024/G01"
DICE = SeedRule(method="text", source="县公证处 2024-03-01 摇号 dice", date="2024-03-01")
VALUE = "3 6 1 2 5 5 4 1"

SALTS = {"局": "01" * 32, "纪检组": "02" * 32, "商会": "03" * 32}
TEXTS = {"局": "4 4 1 7", "纪检组": "纪检 2 9 9", "商会": "chamber 5 0 3"}
REVEALS = [Reveal(party=p, salt=SALTS[p], text=TEXTS[p]) for p in SALTS]


def sealed(missing: str = "void") -> SeedRule:
    return SeedRule(
        method="contributions",
        source="reveals published on the bureau's site on 2024-03-01",
        date="2024-03-01",
        parties=[{"party": p, "commitment": commitment_of(TEXTS[p], SALTS[p])} for p in SALTS],
        missing=missing,
    )


def announced(rule: SeedRule = DICE, registry: TargetRegistry = REG) -> Announcement:
    return announce_draw(registry, stream=STREAM, seed_rule=rule, date="2024-02-20", **OPTIONS)


def paths(report_or_list: Any) -> set[str]:
    diffs = getattr(report_or_list, "differences", report_or_list)
    return {d.path for d in diffs}


def test_an_honest_draw_verifies_against_its_announcement() -> None:
    a = announced()
    receipt = draw(REG, seed=a.seed(value=VALUE), stream=STREAM, **OPTIONS).receipt
    assert check_announcement(receipt, a) == []
    report = verify(receipt, REG, announcement=a, expected_seed=a.seed(value=VALUE))
    assert report.ok, report
    assert verify_any(receipt.to_json(), registry=REG, announcement=a.to_json()).ok


def test_attack_register_changed_after_the_seed_was_known() -> None:
    """Whoever knows the seed can drop the firm it would draw, then draw: verifies alone."""
    a = announced()
    seed = a.seed(value=VALUE)
    honest = draw(REG, seed=seed, stream=STREAM, **OPTIONS).receipt
    victim = honest.strata["A"]["selected"][0]
    shaped = TargetRegistry.from_columns(
        id=[i for i in IDS if i != victim],
        risk_class=[c for i, c in zip(IDS, ["A", "B", "C"] * 20, strict=True) if i != victim],
    )
    receipt = draw(shaped, seed=seed, stream=STREAM, **OPTIONS).receipt
    assert victim not in receipt.strata["A"]["selected"]
    assert verify(receipt, shaped).ok  # today: it recomputes
    report = verify(receipt, shaped, announcement=a)
    assert not report.ok
    assert {"registry_digest", "registry_size"} <= paths(report)
    d = next(d for d in report.differences if d.path == "registry_digest")
    assert d.recomputed == REG.digest() and "announced" in d.message


def _rerun_until_dropped(firm: str, make: Any) -> Any:
    for k in range(200):
        receipt = make(k)
        if all(firm not in s["selected"] for s in receipt.strata.values()):
            return receipt
    raise AssertionError("no re-run dropped the firm")  # pragma: no cover


def test_attack_rerun_under_other_streams_until_a_firm_drops_out() -> None:
    a = announced()
    seed = a.seed(value=VALUE)
    honest = draw(REG, seed=seed, stream=STREAM, **OPTIONS).receipt
    firm = honest.strata["C"]["selected"][0]
    receipt = _rerun_until_dropped(
        firm, lambda k: draw(REG, seed=seed, stream=f"{STREAM}-{k}", **OPTIONS).receipt
    )
    assert verify(receipt, REG).ok
    assert verify(receipt, REG, expected_seed=seed).ok  # even with the public seed
    report = verify(receipt, REG, announcement=a)
    assert paths(report) == {"stream"}
    assert "announced" in report.differences[0].message


def test_attack_rerun_under_other_seed_texts_until_a_firm_drops_out() -> None:
    a = announced(sealed())
    honest_seed = a.seed(reveals=REVEALS)
    honest = draw(REG, seed=honest_seed, stream=STREAM, **OPTIONS).receipt
    firm = honest.strata["C"]["selected"][0]

    # another text entirely: not a seed from the sealed contributions
    receipt = _rerun_until_dropped(
        firm, lambda k: draw(REG, seed=f"dice {k}", stream=STREAM, **OPTIONS).receipt
    )
    assert verify(receipt, REG).ok
    assert paths(verify(receipt, REG, announcement=a)) == {"seed_source"}

    # contributions, but not the revealed ones (a party's text swapped after the fact)
    def swapped(k: int) -> Any:
        seed = Seed.from_contributions([TEXTS["局"], TEXTS["纪检组"], f"chamber {k}"])
        return draw(REG, seed=seed, stream=STREAM, **OPTIONS).receipt

    receipt = _rerun_until_dropped(firm, swapped)
    assert verify(receipt, REG).ok
    report = verify(receipt, REG, announcement=a, reveals=REVEALS)
    assert paths(report) == {"seed"}
    assert report.differences[0].recomputed == honest_seed.hex


def test_text_rule_seed_must_carry_the_announced_source_and_its_value() -> None:
    a = announced()
    other_value = draw(REG, seed=a.seed(value="1 1 1 1"), stream=STREAM, **OPTIONS).receipt
    assert check_announcement(other_value, a) == []  # the label is the announced one...
    report = verify(other_value, REG, announcement=a, expected_seed=a.seed(value=VALUE))
    assert paths(report) == {"seed"}  # ...but not the value the ceremony gave


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"batches": 3}, "policy.batches"),
        ({"ratios": {"A": 0.25, "B": 0.1, "C": 0.4}}, "policy.ratios.C"),
        ({"where": {"risk_class": ["A", "B"]}}, "policy.where.risk_class"),
    ],
)
def test_another_policy_is_named_by_its_path(change: dict[str, Any], path: str) -> None:
    a = announced()
    receipt = draw(REG, seed=a.seed(value=VALUE), stream=STREAM, **{**OPTIONS, **change}).receipt
    assert path in paths(check_announcement(receipt, a))


def test_the_announcement_is_sealed_frozen_and_strict() -> None:
    a = announced()
    assert a.announcement_digest == digest(a.body())
    assert Announcement.from_json(a.to_json()) == a
    with pytest.raises(TypeError):
        a.subject["policy"]["ratios"]["A"] = 1.0  # type: ignore[index]
    edited = a.to_dict()
    edited["draw"]["stream"] = "2024/other"
    receipt = draw(REG, seed=a.seed(value=VALUE), stream="2024/other", **OPTIONS).receipt
    diffs = check_announcement(receipt, Announcement.from_dict(edited))
    assert paths(diffs) == {"announcement.announcement_digest"}
    text = a.to_json()
    with pytest.raises(ValidationError, match="duplicate key"):
        Announcement.from_json(text.replace('"kind": "draw"', '"kind": "draw", "kind": "plan"'))
    bad = a.to_dict()
    bad["draw"]["extra"] = 1
    with pytest.raises(ValidationError, match=r"draw\.extra"):
        Announcement.from_dict(bad)
    bad = a.to_dict()
    bad["plan"] = bad.pop("draw")
    with pytest.raises(ValidationError, match="plan"):
        Announcement.from_dict(bad)
    bad = a.to_dict()
    bad["seed_rule"]["method"] = "clock"
    with pytest.raises(ValidationError, match=r"seed_rule\.method"):
        Announcement.from_dict(bad)


def test_the_announcement_pins_its_policy_digest() -> None:
    a = announced()
    assert a.subject["policy_digest"] == digest(json.loads(a.to_json())["draw"]["policy"])


# -- commit, then reveal --------------------------------------------------------------


def test_a_mismatched_reveal_is_refused_naming_the_party() -> None:
    rule = sealed()
    forged = [*REVEALS[:2], Reveal(party="商会", salt=SALTS["商会"], text="chamber 9 9 9")]
    with pytest.raises(ValidationError) as err:
        rule.seed(reveals=forged)
    assert [p.id for p in err.value.problems] == ["商会"]
    assert "does not match" in str(err.value)
    outcome = rule.reveal(forged)
    assert outcome.refused == ("商会",) and outcome.seed is None


def test_the_seed_from_reveals_does_not_depend_on_their_order() -> None:
    rule = sealed()
    seeds = {
        rule.seed(reveals=order).hex
        for order in (REVEALS, REVEALS[::-1], REVEALS[1:] + REVEALS[:1])
    }
    assert len(seeds) == 1
    assert rule.seed(reveals=REVEALS) == Seed.from_contributions(list(TEXTS.values()))


def test_a_missing_reveal_voids_the_draw_under_void() -> None:
    rule = sealed("void")
    with pytest.raises(ValidationError) as err:
        rule.seed(reveals=REVEALS[:2])
    assert [p.id for p in err.value.problems] == ["商会"]
    a = announced(rule)
    partial = Seed.from_contributions([TEXTS["局"], TEXTS["纪检组"]])
    receipt = draw(REG, seed=partial, stream=STREAM, **OPTIONS).receipt
    report = verify(receipt, REG, announcement=a, reveals=REVEALS[:2])
    assert {"seed_source", "seed"} <= paths(report)


def test_a_missing_reveal_under_others_seeds_from_the_others_and_says_so() -> None:
    rule = sealed("others")
    seed = rule.seed(reveals=REVEALS[:2])
    assert seed == Seed.from_contributions([TEXTS["局"], TEXTS["纪检组"]])
    a = announced(rule)
    receipt = draw(REG, seed=seed, stream=STREAM, **OPTIONS).receipt
    report = verify(receipt, REG, announcement=a, reveals=REVEALS[:2])
    assert report.ok, report
    assert any("商会" in n and "others" in n for n in report.notes)
    # a refused reveal counts as missing: the seed is still the others'
    forged = [*REVEALS[:2], Reveal(party="商会", salt=SALTS["商会"], text="x")]
    report = verify(receipt, REG, announcement=a, reveals=forged)
    assert report.ok and any("商会" in n and "refused" in n for n in report.notes)


def test_without_reveals_the_commitments_are_not_checked_and_a_note_says_so() -> None:
    a = announced(sealed())
    receipt = draw(REG, seed=a.seed(reveals=REVEALS), stream=STREAM, **OPTIONS).receipt
    report = verify(receipt, REG, announcement=a)
    assert report.ok and any("reveals were not given" in n for n in report.notes)


def test_commitment_vector() -> None:
    # SHA-256("randsupervise.commit.v1" 0x00 || 32 zero bytes || "a b")
    import hashlib

    want = hashlib.sha256(b"randsupervise.commit.v1\x00" + bytes(32) + b"a b").hexdigest()
    assert commitment_of("  a\n b ", "00" * 32) == want
    with pytest.raises(ValidationError, match="salt"):
        commitment_of("a", "00" * 31)


# -- timeline -------------------------------------------------------------------------


@pytest.mark.parametrize("seed_date", ["2024-02-19", "2024-02-20"])
def test_a_seed_dated_on_or_before_the_announcement_is_refused(seed_date: str) -> None:
    rule = SeedRule(method="text", source=DICE.source, date=seed_date)
    with pytest.raises(ValidationError, match=r"seed_rule\.date"):
        announced(rule)
    # one written by hand and sealed anyway does not verify
    body = announced().to_dict()
    body["seed_rule"]["date"] = seed_date
    del body["announcement_digest"]
    forged = Announcement.from_dict({**body, "announcement_digest": digest(body)})
    receipt = draw(REG, seed=forged.seed(value=VALUE), stream=STREAM, **OPTIONS).receipt
    assert paths(check_announcement(receipt, forged)) == {"announcement.seed_rule.date"}


def test_bad_dates_are_refused() -> None:
    with pytest.raises(ValidationError, match="YYYY-MM-DD"):
        SeedRule(method="text", source="x", date="1 March 2024")


@pytest.mark.parametrize("text", ["2024-W09-5", "20240301", "2024-3-1"])
def test_only_calendar_dates_in_their_one_written_form(text: str) -> None:
    with pytest.raises(ValidationError, match="YYYY-MM-DD"):
        SeedRule(method="text", source="x", date=text)


def test_reveals_from_strangers_twice_or_malformed_are_refused_by_name() -> None:
    rule = sealed("others")
    stranger = Reveal(party="路人", salt=SALTS["局"], text=TEXTS["局"])
    twice = Reveal(party="局", salt=SALTS["局"], text=TEXTS["局"])
    bad_salt = Reveal(party="纪检组", salt="zz", text=TEXTS["纪检组"])
    outcome = rule.reveal([*REVEALS, stranger, twice])
    assert outcome.unknown == ("路人",) and outcome.duplicated == ("局",)
    with pytest.raises(ValidationError) as err:
        rule.seed(reveals=[REVEALS[0], bad_salt, REVEALS[2]])
    assert [p.id for p in err.value.problems] == ["纪检组"]
    with pytest.raises(ValidationError, match="array"):
        rule.seed(reveals=json.dumps(REVEALS[0].to_record()))  # type: ignore[arg-type]
