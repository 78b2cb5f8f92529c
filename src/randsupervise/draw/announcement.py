"""Announcements (抽查预告): what will be drawn, and where the seed will come from, published
before the seed exists.

A receipt proves that a draw recomputes; it cannot prove that the draw was the only one
made. Whoever knows the seed before the register is frozen can shape the register, and
whoever may re-run a draw under other streams or seed texts can publish the receipt that
suits them: each of those receipts verifies. An announcement closes both doors (RFC 3797;
ICANN OCTO-41): it fixes, before the randomness exists, the register digest, the policy,
the stream labels, the batch count and the rule that makes the seed, and a verifier
checks the receipt against it (:func:`check_announcement`). Specified in
``docs/spec/announcement.md``.

The announcement is built from three modules, one concept each, and every name stays
importable from here: the seed rule and sealed contributions
(:mod:`~randsupervise.draw.seed_rule`), the announcement document and its timeline
(:mod:`~randsupervise.draw.announcement_document`), and the checks of a receipt against
it (:mod:`~randsupervise.draw.announcement_checks`).
"""

from __future__ import annotations

from randsupervise.draw.announcement_checks import (
    AnnouncementCheck,
    announcement_differences,
    check_announcement,
    seed_rule_differences,
)
from randsupervise.draw.announcement_checks import (
    check_draw_announcement as check_draw_announcement,
)
from randsupervise.draw.announcement_checks import (
    subject_list_differences as subject_list_differences,
)
from randsupervise.draw.announcement_checks import (
    subject_value_differences as subject_value_differences,
)
from randsupervise.draw.announcement_document import (
    ANNOUNCEMENT_FORMAT,
    ANNOUNCEMENT_KINDS,
    ANNOUNCEMENT_VERSION,
    Announcement,
    announce_draw,
    as_announcement,
)
from randsupervise.draw.announcement_document import SHAPE as SHAPE
from randsupervise.draw.announcement_document import (
    timeline_differences as timeline_differences,
)
from randsupervise.draw.seed_rule import (
    COMMIT_PREFIX,
    MISSING_RULES,
    SEED_METHODS,
    Commitment,
    Reveal,
    RevealOutcome,
    SeedRule,
    commitment_of,
    read_reveals,
)

__all__ = [
    "ANNOUNCEMENT_FORMAT",
    "ANNOUNCEMENT_KINDS",
    "ANNOUNCEMENT_VERSION",
    "COMMIT_PREFIX",
    "MISSING_RULES",
    "SEED_METHODS",
    "Announcement",
    "AnnouncementCheck",
    "Commitment",
    "Reveal",
    "RevealOutcome",
    "SeedRule",
    "announce_draw",
    "announcement_differences",
    "as_announcement",
    "check_announcement",
    "commitment_of",
    "read_reveals",
    "seed_rule_differences",
]
