"""``randsupervise announce`` and ``commit``: the announcement before the seed exists,
and a sealed contribution to a seed.

Invariants, and the rule each comes from:

* The announcement binds the register's digest, the stream, the draw's options (read by
  the one reader, ``_draw_options``) and the seed rule, before the seed exists
  (``randsupervise.draw.announcement``).
* An announcement is read from its own JSON or from its published document, which carries
  it unchanged; ``verify`` takes either.
* ``commit`` draws its salt from the operating system: the command line may, the library
  never does (architecture principle 1).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from randsupervise.cli.draw import _add_policy_options, _draw_options
from randsupervise.cli.inputs import (
    _add_register_options,
    _BadInput,
    _read_registry,
    _read_text,
)


def _add_announcement_options(v: argparse.ArgumentParser) -> None:
    v.add_argument(
        "--announcement",
        metavar="ANNOUNCEMENT.json",
        help="the announcement published before the seed existed (randsupervise announce): "
        "the receipt must draw what it announced, with a seed made by its rule",
    )
    v.add_argument(
        "--reveals",
        metavar="REVEALS.json",
        help="with --announcement of sealed contributions: the published reveals, a JSON "
        'list of {"party", "salt", "text"}',
    )


def _announce_arguments(a: argparse.ArgumentParser) -> None:
    """write the announcement of a draw (JSON) before its seed exists

    Write the announcement (抽查预告) of a draw: the register's digest, the stream, the
    draw's options (as draw takes them) and the seed rule, to be published before the
    seed exists. The seed will be the text SEED-RULE, a space, and the value the source
    gives on SEED-DATE (randsupervise draw --seed 'SEED-RULE VALUE'); with --commitment,
    the seed is made from the reveals of the named parties' sealed contributions.
    """
    a.add_argument("--registry", required=True, help="CSV file of targets, as frozen")
    _add_register_options(a)
    a.add_argument("--stream", required=True, help="stream label of this task or batch")
    _add_policy_options(a)
    a.add_argument(
        "--seed-rule",
        required=True,
        metavar="TEXT",
        help="the seed's public source, written at the head of the seed text (e.g. "
        "'双色球 2024年第025期 开奖号码'); with --commitment, where the reveals are published",
    )
    a.add_argument(
        "--seed-date",
        required=True,
        metavar="YYYY-MM-DD",
        help="the day the source gives its value (after --date)",
    )
    a.add_argument("--date", required=True, metavar="YYYY-MM-DD", help="the announcement's date")
    a.add_argument(
        "--commitment",
        action="append",
        default=[],
        metavar="PARTY=HEX",
        help="a party's commitment to its sealed contribution (randsupervise commit); "
        "repeatable; the seed is then made from the reveals",
    )
    a.add_argument(
        "--missing",
        choices=["void", "others"],
        help="with --commitment: a missing reveal voids the draw (void, the default) or "
        "the seed is made from the others' reveals (others)",
    )


def _commit_arguments(c: argparse.ArgumentParser) -> None:
    """seal a contribution: print a fresh salt and the commitment (JSON)

    Seal a contribution for a seed: prints a random 32-byte salt, the commitment to
    publish now, and the reveal to publish after the announcement (keep the salt secret
    until then).
    """
    c.add_argument("--party", required=True, help="the party's name, as announced")
    c.add_argument("--text", required=True, help="the contribution text")


def _cmd_announce(args: argparse.Namespace) -> int:
    from randsupervise.draw import SeedRule, announce_draw

    reg, has_risk = _read_registry(args.registry, args.encoding, args.column)
    commitments: dict[str, str] = {}
    for value in args.commitment:
        party, sep, hex_digits = value.partition("=")
        if not sep or not party.strip():
            raise _BadInput(f"--commitment {value!r}: expected PARTY=HEX")
        if party.strip() in commitments:
            raise _BadInput(f"--commitment: party {party.strip()!r} named twice")
        commitments[party.strip()] = hex_digits.strip()
    if args.missing is not None and not commitments:
        raise _BadInput("--missing needs --commitment PARTY=HEX (the sealed contributions)")
    if commitments:
        rule = SeedRule(
            method="contributions",
            source=args.seed_rule,
            date=args.seed_date,
            parties=[{"party": p, "commitment": c} for p, c in commitments.items()],
            missing=args.missing or "void",
        )
    else:
        rule = SeedRule(method="text", source=args.seed_rule, date=args.seed_date)
    policy, history = _draw_options(args, reg, has_risk)
    announcement = announce_draw(
        reg,
        stream=args.stream,
        seed_rule=rule,
        date=args.date,
        policy=policy,
        history=history.entries,
        burden=history.periods,
    )
    sys.stdout.write(announcement.to_json() + "\n")
    return 0


def _cmd_commit(args: argparse.Namespace) -> int:
    import secrets

    from randsupervise.draw import commitment_of

    salt = secrets.token_hex(32)  # the CLI may use the OS's randomness; the library never does
    record = {
        "commitment": {"party": args.party, "commitment": commitment_of(args.text, salt)},
        "reveal": {"party": args.party, "salt": salt, "text": args.text},
    }
    sys.stdout.write(json.dumps(record, ensure_ascii=False, indent=2) + "\n")
    return 0


def _read_announcement(data: bytes) -> object:
    """An announcement, from its own JSON or from its published document
    (``publish announcement``), which carries it unchanged."""
    from randsupervise._core.strict_json import parse
    from randsupervise.draw import Announcement
    from randsupervise.errors import Problem, ValidationError
    from randsupervise.publish import PUBLICATION_FORMAT, read_json

    head = parse(data, what="announcement", max_depth=24)
    if isinstance(head, dict) and head.get("format") == PUBLICATION_FORMAT:
        doc = read_json(data)
        if doc["kind"] != "announcement":
            raise ValidationError(
                [Problem(field="kind", message=f"a published {doc['kind']!r}, not an announcement")]
            )
        return Announcement.from_dict(doc["announcement"])
    return Announcement.from_json(data)


def _announcement_inputs(args: argparse.Namespace) -> dict[str, Any]:
    """``announcement=`` and ``reveals=`` for verify, from --announcement and --reveals."""
    from randsupervise.draw import read_reveals
    from randsupervise.errors import RandSuperviseError

    if args.announcement is None:
        if args.reveals is not None:
            raise _BadInput("--reveals needs --announcement ANNOUNCEMENT.json")
        return {}
    out: dict[str, Any] = {}
    for key, path, read in (
        ("announcement", args.announcement, _read_announcement),
        ("reveals", args.reveals, read_reveals),
    ):
        if path is None:
            continue
        try:
            out[key] = read(_read_text(path))
        except RandSuperviseError as e:
            raise _BadInput(f"{path}: {' '.join(str(e).split())}") from None
    return out
