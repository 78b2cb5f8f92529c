"""Canonical JSON and digests: the one rule every receipt and digest is written with.

Invariants (architecture principle 4; ``docs/spec/receipts.md``):

* **Form ``jcs``** (receipts of version 2 and later) is RFC 8785, the JSON
  Canonicalization Scheme: object members sorted by the UTF-16 code units of their names,
  no whitespace, strings escaped as ``JSON.stringify`` does (only ``"``, ``\\``, and the
  control characters below U+0020; everything else written as UTF-8), numbers written as
  ECMAScript's ``Number.prototype.toString`` writes them (``1.0`` is ``1``, ``1e-7`` is
  ``1e-7``). A JavaScript reader gets the same text from ``JSON.stringify`` with sorted
  keys, so an outsider needs no library of ours.
* **Form ``v1``** (receipts of version 1, kept so they verify forever): Python's
  ``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``:
  keys sorted by code point, floats in Python's shortest ``repr`` (``1.0``, ``1e-07``).
* Values that have no canonical form are refused with ``ValueError``: NaN and
  infinities, integers beyond 2^53 in magnitude (``jcs``: not exact in every reader),
  strings holding lone surrogates (no UTF-8 form), non-string keys.
* The digest of a value is the lower-case hex SHA-256 of its canonical text in UTF-8.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from typing import Any, Literal

__all__ = ["Form", "canonical_json", "digest", "jcs_number", "sha256_hex"]

Form = Literal["jcs", "v1"]
_MAX_EXACT = 2**53


def jcs_number(x: float | int) -> str:
    """The RFC 8785 (ECMAScript) text of a number.

    Examples:
        >>> [jcs_number(v) for v in (1.0, 0.1, 1e-7, 1e21, 123456789012345680000.0, -0.0, 5)]
        ['1', '0.1', '1e-7', '1e+21', '123456789012345680000', '0', '5']
    """
    if isinstance(x, bool):
        raise ValueError("a bool is not a number")
    if isinstance(x, int):
        if abs(x) > _MAX_EXACT:
            raise ValueError(f"integer {x} is beyond 2^53: not exact in every JSON reader")
        return str(x)
    if not math.isfinite(x):
        raise ValueError(f"{x!r} has no JSON form")
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    r = repr(abs(x))
    mant, _, exp = r.partition("e")
    ip, _, fp = mant.partition(".")
    digits = ip + fp
    point = len(ip) + (int(exp) if exp else 0)
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    k, n = len(digits), point
    if k <= n <= 21:
        body = digits + "0" * (n - k)
    elif 0 < n <= 21:
        body = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        body = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        esign = "+" if e >= 0 else "-"
        head = digits[0] + ("." + digits[1:] if k > 1 else "")
        body = f"{head}e{esign}{abs(e)}"
    return sign + body


def _string(s: str) -> str:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"string {s!r} holds a lone surrogate: it has no UTF-8 form") from None
    return json.dumps(s, ensure_ascii=False)


def _jcs(value: Any, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(_string(value))
    elif isinstance(value, int | float):
        out.append(jcs_number(value))
    elif isinstance(value, Mapping):
        keys = list(value)
        if not all(isinstance(k, str) for k in keys):
            raise ValueError("object keys must be strings")
        out.append("{")
        for i, k in enumerate(sorted(keys, key=lambda k: k.encode("utf-16-be", "surrogatepass"))):
            if i:
                out.append(",")
            out.append(_string(k))
            out.append(":")
            _jcs(value[k], out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for i, v in enumerate(value):
            if i:
                out.append(",")
            _jcs(v, out)
        out.append("]")
    else:
        raise ValueError(f"{type(value).__name__} is not a JSON value")


def canonical_json(value: Any, form: Form = "jcs") -> str:
    """The canonical JSON text of ``value`` in ``form`` (see the module notes).

    Raises:
        ValueError: ``value`` has no canonical form (NaN, a lone surrogate, ...).

    Examples:
        >>> canonical_json({"b": [1.0, 2.5], "a": "网吧"})
        '{"a":"网吧","b":[1,2.5]}'
        >>> canonical_json({"b": [1.0, 2.5], "a": "网吧"}, "v1")
        '{"a":"网吧","b":[1.0,2.5]}'
    """
    if form == "v1":
        return json.dumps(
            value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    if form != "jcs":
        raise ValueError(f"unknown canonical form {form!r}")
    out: list[str] = []
    _jcs(value, out)
    return "".join(out)


def digest(value: Any, form: Form = "jcs") -> str:
    """Lower-case hex SHA-256 of the UTF-8 bytes of ``canonical_json(value, form)``.

    Examples:
        >>> digest({"a": 1}) == digest({"a": 1.0})
        True
        >>> digest({"a": 1}, "v1") == digest({"a": 1.0}, "v1")
        False
    """
    return hashlib.sha256(canonical_json(value, form).encode("utf-8")).hexdigest()


def sha256_hex(value: Any) -> str:
    """``digest(value, "v1")``: the digest of version-1 records (input digests of registers'
    neighbours: items, pools, plans, visits; ``docs/spec/digests.md``), kept as it was.

    Examples:
        >>> sha256_hex({"a": 1}) == digest({"a": 1}, "v1")
        True
    """
    return digest(value, "v1")
