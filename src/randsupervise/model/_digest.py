"""Canonical JSON and SHA-256 digests of model values.

Invariants:

* The canonical form of a value is its JSON text with keys sorted, no insignificant
  whitespace (``","`` and ``":"`` separators), non-ASCII characters kept as UTF-8
  (``ensure_ascii=False``), and ``NaN``/``Infinity`` refused. Floats use Python's
  shortest round-trip ``repr``, which is stable across platforms and versions.
* The digest is the lowercase SHA-256 hex of the canonical form encoded as UTF-8.
  Receipts (DESIGN.md principle 4) record these digests, so the form is versioned: each
  caller wraps its payload as ``{"format": <name>, "version": <n>, ...}``.
* Collections whose order carries no meaning (pools, item lists, sets of tags) are sorted
  by the caller before they reach this module, so a digest never depends on input order.
"""

from __future__ import annotations

import hashlib
import json

__all__ = ["canonical_json", "sha256_hex"]


def canonical_json(payload: object) -> str:
    """Return the canonical JSON text of ``payload``.

    Args:
        payload: JSON-able data (dicts with string keys, lists, strings, numbers,
            booleans, ``None``).

    Returns:
        The JSON text, keys sorted, compact, UTF-8 characters kept.

    Raises:
        ValueError: ``payload`` holds a NaN or an infinity.

    Examples:
        >>> canonical_json({"b": [1, 2.5], "a": "网吧"})
        '{"a":"网吧","b":[1,2.5]}'
    """
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)  # fmt: skip


def sha256_hex(payload: object) -> str:
    """Return the SHA-256 hex digest of the canonical JSON form of ``payload``.

    Examples:
        >>> sha256_hex({"a": 1}) == sha256_hex({"a": 1})
        True
        >>> len(sha256_hex([]))
        64
    """
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()
